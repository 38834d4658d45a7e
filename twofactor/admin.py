"""The devices are not edited in the admin's model lists: people set up their own second factor
(twofactor:setup), and a superuser resets another person's from the user's change page
(templates/admin/auth/user/change_form.html → twofactor:reset)."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

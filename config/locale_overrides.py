"""Messages of Django's own that an installed app translates in another voice.

Django REST framework ships German translations for a few of Django's core messages ("Gib eine
gültige E-Mail Adresse an.") and, as an installed app, its catalogue comes before Django's. Our
own catalogue (LOCALE_PATHS) comes before both: listing the messages here puts them into
locale/*/django.po, where they carry Django's own wording, so every form of the site keeps one
voice.
"""

from django.utils.translation import gettext_noop

DJANGO_CORE_MESSAGES = (
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
)

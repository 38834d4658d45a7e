import datetime
import json

import pytest
from django.conf import settings

from access.models import Membership
from imports.plan_document import plan_import_document
from tests.factories import UserFactory
from versions.services import plan_version_publish


def import_leipzig():
    data = json.loads((settings.BASE_DIR / "fixtures" / "leipzig.json").read_text("utf-8"))
    return plan_import_document(data=data)


@pytest.fixture
def leipzig(db):
    return import_leipzig()


@pytest.fixture
def coordinator(leipzig):
    user = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=user, plan=leipzig, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def publish(coordinator):
    def publish(plan, label, date=datetime.date(2011, 5, 1)):
        return plan_version_publish(plan=plan, label=label, date=date, acting_user=coordinator)

    return publish

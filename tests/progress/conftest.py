import io

import pytest
from django.core.management import call_command
from django.db import transaction

from actionplan.models import Plan


@pytest.fixture(scope="module")
def leipzig_pk(django_db_setup, django_db_blocker):
    """The Leipzig demo plan, loaded once per module with the real command (rolled back after);
    each test runs in its own savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        yield Plan.objects.get(slug="leipzig-2011").pk
        transaction.set_rollback(True)


@pytest.fixture
def leipzig(leipzig_pk, db) -> Plan:
    return Plan.objects.get(pk=leipzig_pk)

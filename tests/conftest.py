import pytest

from tests.factories import StaffUserFactory, UserFactory


@pytest.fixture
def staff_user(db):
    return StaffUserFactory(username="staff")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def user(db):
    return UserFactory()

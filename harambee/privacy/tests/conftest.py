import pytest
from django.contrib.auth.models import Permission

from harambee.core.tests.factories import UserFactory


@pytest.fixture
def dpo(db):
    user = UserFactory(username="dpo")
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return user

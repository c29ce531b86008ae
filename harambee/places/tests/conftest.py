from pathlib import Path

import pytest
from django.conf import settings

from harambee.core.choices import Role
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import GroupRoleFactory

DATA = Path(__file__).parent / "data"
SHARED = settings.PROJECT_DIR.parent / "shared" / "data" / "places"
OCHA_FILE = SHARED / "global_pcodes_adm1_adm2.csv"
GUINEA_FILE = SHARED / "guinea_adm2_centroids_hxl.csv"


@pytest.fixture
def write_file(tmp_path):
    """Write text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "areas.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def admin_user(db):
    return UserFactory(is_superuser=True, is_staff=True)


def _with_role(role):
    user = UserFactory()
    GroupRoleFactory(user=user, role=role)
    return user


@pytest.fixture
def viewer(db):
    return _with_role(Role.VIEWER)


@pytest.fixture
def editor(db):
    return _with_role(Role.EDITOR)


@pytest.fixture
def coordinator(db):
    return _with_role(Role.COORDINATOR)

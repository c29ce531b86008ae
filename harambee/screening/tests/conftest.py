from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from harambee.screening.matching.index import clear_cache

DATA = Path(settings.PROJECT_DIR).parent / "shared" / "data" / "sanctions"
SMALL_UN = Path(__file__).parent / "data" / "un_small.xml"


@pytest.fixture(autouse=True)
def _fresh_index():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def un_small(db):
    from harambee.screening.services import load_list

    return load_list(source="un", path=SMALL_UN)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def ngo(db):
    from harambee.network.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Kakuma Relief", acronym="KR", registration_number="NGO/77")


@pytest.fixture
def editor(ngo):
    from harambee.core.choices import Role
    from harambee.core.tests.factories import UserFactory
    from harambee.network.tests.factories import GroupRoleFactory

    user = UserFactory(username="edna", organisation=ngo, email="edna@example.org")
    GroupRoleFactory(user=user, role=Role.EDITOR)
    return user


@pytest.fixture
def bank(db):
    from harambee.network.choices import OrganisationType
    from harambee.network.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Equity Bank", org_type=OrganisationType.BANK)


@pytest.fixture
def banker(bank):
    from harambee.core.tests.factories import UserFactory

    return UserFactory(username="bea", organisation=bank)


@pytest.fixture
def correspondent(db):
    from harambee.core.tests.factories import UserFactory
    from harambee.network.choices import OrganisationType
    from harambee.network.tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Citi Correspondent", org_type=OrganisationType.BANK)
    return UserFactory(username="cora", organisation=org)


def changed_un(tmp_path, old: str, new: str):
    """un_small.xml with one change (a new list version)."""
    text = SMALL_UN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"un_{abs(hash(new))}.xml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path

import pytest

from harambee.core.choices import Permission, Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Organisation
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_anonymous_sees_only_public():
    owner = OrganisationFactory()
    public = OrganisationFactory(visibility=Visibility.PUBLIC, owner_organisation=owner)
    OrganisationFactory(visibility=Visibility.NETWORK, owner_organisation=owner)
    from django.contrib.auth.models import AnonymousUser

    assert list(Organisation.objects.restrict(AnonymousUser())) == sorted(
        [public, owner], key=lambda o: o.name
    )


def test_editor_changes_only_own_organisations_records():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    user = UserFactory(organisation=mine)
    GroupRoleFactory(user=user, role=Role.EDITOR)
    a = OrganisationFactory(owner_organisation=mine)
    OrganisationFactory(owner_organisation=theirs)
    assert list(Organisation.objects.restrict(user, Permission.CHANGE)) == [a]
    assert list(Organisation.objects.restrict(user, Permission.DELETE)) == []

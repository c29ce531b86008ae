import factory

from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network import choices
from harambee.network.models import (
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    org_type = choices.OrganisationType.INTERNATIONAL_NGO
    visibility = Visibility.PUBLIC


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    owner_organisation = factory.SelfAttribute("organisation")
    name = factory.Faker("name")
    role = "Programme officer"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    visibility = Visibility.ORGANISATION


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Thematic group {n}")
    kind = choices.GroupKind.THEMATIC
    visibility = Visibility.PUBLIC


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = choices.MembershipRole.MEMBER
    confirmed = True  # an invitation is made with confirmed=False


class GroupRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupRole

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class WorkplanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkplanItem

    group = factory.SubFactory(GroupFactory)
    challenge = factory.Sequence(lambda n: f"Challenge {n}")
    objective = "Make it better"


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Request

    from_group = factory.SubFactory(GroupFactory)
    to_group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Request {n}")
    visibility = Visibility.PUBLIC


class RequestResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestResponse

    request = factory.SubFactory(RequestFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    offer = "We can help"


def user_with_role(role=None, *, group=None, organisation=None, **kwargs):
    """A user of `organisation` (a new one unless given) holding `role` in `group` (new if
    not given). No role: a plain member of the network."""
    if organisation is None:
        organisation = OrganisationFactory()
    user = UserFactory(organisation=organisation, **kwargs)
    if role is not None:
        GroupRoleFactory(user=user, group=group or GroupFactory(), role=role)
    return user

from harambee.core.choices import Role
from harambee.core.tests.factories import UserFactory
from harambee.matching import services
from harambee.matching.choices import ConsentPurpose, NeedKind, OfferKind, ProfileKind
from harambee.matching.models import (
    Match,
    Need,
    Offer,
    Profile,
    ProfileLanguage,
    ProfileOccupation,
)
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory
from harambee.places.models import Country


def country(iso3="SLE", iso2="SL", name="Sierra Leone"):
    return Country.objects.get_or_create(iso3=iso3, defaults={"iso2": iso2, "name": name})[0]


def matchmaker(username="coordinator"):
    user = UserFactory(username=username, organisation=OrganisationFactory())
    GroupRoleFactory(user=user, role=Role.COORDINATOR)
    return user


def person(username="amara", *, consent=True, code="2221", krio=5, **kw):
    user = UserFactory(username=username)
    country()
    profile = Profile.objects.create(
        user=user, kind=ProfileKind.DIASPORA_EXPERT, name="Amara Kamara", phone="+232 76 123456",
        email=f"{username}@example.org", birth_date="1985-04-02", country_id="SLE", **kw,
    )  # fmt: skip
    ProfileOccupation.objects.create(profile=profile, code=code, years=6)
    ProfileLanguage.objects.create(profile=profile, code="kri", spoken=krio, written=krio)
    services.record_consent(
        actor=user, profile=profile, purpose=ConsentPurpose.MATCH, granted=consent
    )
    offer = Offer.objects.create(
        kind=OfferKind.PERSON, title=f"Offer of {username}", profile=profile
    )
    return user, profile, offer


def employer_need(posts=1, **kw):
    organisation = OrganisationFactory(name="Freetown Clinic")
    employer = UserFactory(username=kw.pop("username", "employer"), organisation=organisation)
    country()
    need = Need.objects.create(
        kind=NeedKind.JOB, title="Nurses for the outbreak", occupations=["2221"],
        languages=[{"code": "kri", "level": 4}], country_id="SLE", posts=posts,
        owner_organisation=organisation, employer=organisation, **kw,
    )  # fmt: skip
    return employer, need


def editor_of(organisation, username="editor"):
    """A user of the organisation with an editor role: may change what it maintains."""
    user = UserFactory(username=username, organisation=organisation)
    GroupRoleFactory(user=user, role=Role.EDITOR)
    return user


def organisation_offer(organisation=None, *, title="Nursing trainers", capacity=2, **kw):
    organisation = organisation or OrganisationFactory(name="Health thematic group")
    return Offer.objects.create(
        kind=OfferKind.EXPERTISE, title=title, organisation=organisation,
        owner_organisation=organisation, occupations=["2221"], capacity=capacity, **kw,
    )  # fmt: skip


def match(need, offer, status="proposed", score=80.0):
    return Match.objects.create(need=need, offer=offer, status=status, score=score)

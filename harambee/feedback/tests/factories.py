"""Factories and a ready-made cast for the feedback tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory

from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.choices import GroupKind
from harambee.network.models import Group, Organisation
from harambee.network.tests.factories import (
    GroupRoleFactory,
    MembershipFactory,
    OrganisationFactory,
)
from harambee.places.models import AdminArea, Country

from ..choices import Channel, FocalPointKind, IntakeSource
from ..models import FocalPoint, PseaCoordinator
from ..services import submit_feedback


class CountryGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Afghanistan country group {n}")
    kind = GroupKind.COUNTRY
    country = factory.LazyFunction(lambda: Country.objects.get(iso3="AFG"))
    visibility = Visibility.PUBLIC


def area(
    pcode: str = "AF01", name: str = "Kabul", country: str = "AFG", **kwargs: Any
) -> AdminArea:
    found, _created = AdminArea.objects.get_or_create(
        pcode=pcode, defaults={"country_id": country, "level": 1, "name": name, **kwargs}
    )
    return found


def feedback(group: Group, actor: Any = None, *, source: str | None = None, **data: Any):
    """An item taken in through the intake service (by `actor`, or anonymously)."""
    values: dict[str, Any] = {
        "channel": Channel.HOTLINE,
        "original_text": "When is the next distribution?",
    }
    values.update(data)
    if source is None:
        source = IntakeSource.STAFF if actor is not None else IntakeSource.WEB_FORM
    return submit_feedback(actor=actor, group=group, data=values, source=source)


@dataclass
class Cast:
    """Everyone the sensitive-visibility rule is about."""

    group: Group
    concerned: Organisation  # the organisation a complaint is about
    other: Organisation
    psea_focal: Any  # PSEA focal point of `concerned`
    feedback_focal: Any  # feedback (referral) focal point of `concerned`
    colleague: Any  # works for `concerned`, no focal role
    psea_coordinator: Any  # the group's PSEA coordinator
    coordinator: Any  # the group's coordinator
    intake: Any  # an editor of the group who takes feedback in
    outsider: Any  # a member of another organisation, no role in the group
    other_focal: Any  # PSEA focal point of another organisation
    admin: Any


def cast() -> Cast:
    group = CountryGroupFactory()
    concerned = OrganisationFactory(name="Concerned Relief", acronym="CR")
    other = OrganisationFactory(name="Other Aid", acronym="OA")
    MembershipFactory(group=group, organisation=concerned)
    MembershipFactory(group=group, organisation=other)

    def user(name: str, organisation: Organisation | None, role: str | None = None) -> Any:
        u = UserFactory(username=name, organisation=organisation)
        if role:
            GroupRoleFactory(user=u, group=group, role=role)
        return u

    people = Cast(
        group=group,
        concerned=concerned,
        other=other,
        psea_focal=user("psea_focal", concerned, Role.VIEWER),
        feedback_focal=user("feedback_focal", concerned, Role.EDITOR),
        colleague=user("colleague", concerned, Role.EDITOR),
        psea_coordinator=user("psea_coord", other),
        coordinator=user("coordinator", other, Role.COORDINATOR),
        intake=user("intake", other, Role.EDITOR),
        outsider=user("outsider", OrganisationFactory()),
        other_focal=user("other_focal", other),
        admin=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )
    FocalPoint.objects.create(
        organisation=concerned, user=people.psea_focal, kind=FocalPointKind.PSEA
    )
    FocalPoint.objects.create(
        organisation=concerned, user=people.feedback_focal, kind=FocalPointKind.FEEDBACK
    )
    FocalPoint.objects.create(organisation=other, user=people.other_focal, kind=FocalPointKind.PSEA)
    PseaCoordinator.objects.create(group=group, user=people.psea_coordinator)
    return people

"""Reads of the matching app, restricted to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from harambee.core.access import access_for
from harambee.core.choices import Permission

from .models import Match, MatchingRun, Need, Offer, Profile, is_matchmaker


def matchmaker(user: Any) -> bool:
    return is_matchmaker(access_for(user))


def profiles(*, user: Any) -> QuerySet[Profile]:
    return Profile.objects.restrict(user, Permission.VIEW).prefetch_related(
        "occupations", "languages", "skills__skill", "credentials__verified_by"
    )


def profile_by_public_id(*, user: Any, public_id: str) -> Profile:
    found = profiles(user=user).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def own_profile(*, user: Any) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return profiles(user=user).filter(user=user).first()


def needs(*, user: Any) -> QuerySet[Need]:
    return Need.objects.restrict(user, Permission.VIEW).select_related(
        "country", "group", "employer", "request"
    )


def offers(*, user: Any) -> QuerySet[Offer]:
    return (
        Offer.objects.restrict(user, Permission.VIEW)
        .select_related("profile", "organisation", "group")
        .prefetch_related("countries", "profile__occupations", "profile__languages")
    )


def matches(*, user: Any) -> QuerySet[Match]:
    return Match.objects.restrict(user, Permission.VIEW).select_related(
        "need", "offer", "offer__profile", "need__seeker"
    )


def inbox(*, user: Any) -> QuerySet[Match]:
    """Matches the user is a side of (sent ones only), newest first."""
    return (
        Match.objects.filter(Match.party_filter(access_for(user)))
        .select_related("need", "offer", "offer__profile")
        .order_by("-contacted_at", "-pk")
    )


def runs(*, user: Any) -> QuerySet[MatchingRun]:
    return MatchingRun.objects.restrict(user, Permission.VIEW).select_related("group")


def group_matches(*, user: Any, group: Any) -> tuple[QuerySet[Match], QuerySet[Need]]:
    """A group's needs and their matches (the outcomes panel)."""
    group_needs = Need.objects.restrict(user, Permission.VIEW).filter(group=group)
    return Match.objects.filter(need__in=group_needs), group_needs


def visible_match(*, user: Any, pk: int) -> Match:
    found = matches(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def proposals(*, user: Any, run: MatchingRun | None) -> QuerySet[Match]:
    queryset = matches(user=user).filter(Q(status="proposed"))
    if run is not None:
        queryset = queryset.filter(run=run)
    return queryset.order_by("need_id", "-score")


def may_change(*, user: Any, obj: Any) -> bool:
    """Whether a page should offer to edit, close or withdraw; the service decides on submit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return type(obj).objects.restrict(user, Permission.CHANGE).filter(pk=obj.pk).exists()


def changeable_ids(*, user: Any, model: Any, ids: list[int]) -> set[int]:
    """Of these rows, the ones the user may change (for the edit links of a list page)."""
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        model.objects.restrict(user, Permission.CHANGE)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def match_counts(*, need: Need | None = None, offer: Offer | None = None) -> dict[str, int]:
    """How many matches of a need or offer are in each state (for the close/withdraw page)."""
    queryset = (
        Match.objects.filter(need=need) if need is not None else Match.objects.filter(offer=offer)
    )
    return dict(
        queryset.values("status").annotate(n=Count("pk")).order_by().values_list("status", "n")
    )

"""Demo data for community feedback in the Uganda National Group: focal points (the editor is
the Danish Refugee Council's PSEA and feedback focal point), a PSEA coordinator (the
coordinator), a dozen items across channels and types, one sensitive case, referrals at
various service-level states and a closed loop.

`harambee demo` calls `load(stdout)` after the network. Items are looked up by their text, so
running it again adds nothing.
"""

from __future__ import annotations

import datetime
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from harambee.network.demo import DRC, UGANDA, UNHCR
from harambee.network.models import Group, Organisation

from . import services
from .choices import AnswerChannel, FocalPointKind, IntakeSource, Satisfaction
from .models import FeedbackItem, FocalPoint, PseaCoordinator

URCS = "Uganda Red Cross Society"
RLP = "Refugee Law Project"

# (channel, code, text, days ago, what happens next, organisation, sensitive concern)
ITEMS: list[tuple[str, str, str, float, str, str | None]] = [
    (
        "hotline",
        "q_assistance_when",
        "When is the next food distribution in Nakivale?",
        0.5,
        "new",
        None,
    ),
    (
        "sms",
        "r_assistance_cash",
        "My family has not received cash this month, we need help.",
        12,
        "referred",
        DRC,
    ),
    (
        "web_form",
        "c_quality_late",
        "The shelter kits promised in Kyaka II never arrived.",
        9,
        "referred",
        URCS,
    ),
    (
        "face_to_face",
        "c_sea_exploitation",
        "A distribution worker asked a woman for favours in exchange for her ration card.",
        1,
        "sensitive",
        DRC,
    ),
    (
        "community_meeting",
        "o_rumour_assistance",
        "People say cash will stop for everyone who arrived before 2020.",
        2,
        "new",
        None,
    ),
    (
        "social_media",
        "o_rumour_health",
        "A post claims the cholera vaccine makes people sterile.",
        1,
        "new",
        None,
    ),
    (
        "chatbot",
        "p_thanks_staff",
        "Thank you to the health team in Rwamwanja, they were kind.",
        20,
        "closed",
        None,
    ),
    (
        "intermediary",
        "r_information_family",
        "A diaspora association asks for help tracing a brother last seen in Bunia.",
        5,
        "action",
        RLP,
    ),
    (
        "hotline",
        "c_access_excluded",
        "My household was left out of the livelihoods programme.",
        15,
        "answered",
        DRC,
    ),
    (
        "sms",
        "q_situation_legal",
        "How do I renew my refugee identity card?",
        6,
        "answer_open",
        UNHCR,
    ),
    (
        "web_form",
        "r_suggestion_programme",
        "Distributions could start earlier in the morning, before the heat.",
        3,
        "new",
        None,
    ),
    (
        "face_to_face",
        "c_process_registration",
        "Registration staff keep sending us back for the same document.",
        4,
        "acknowledged",
        UNHCR,
    ),
]


def _focal_points(group: Group, users: dict[str, Any], orgs: dict[str, Organisation]) -> None:
    editor, coordinator = users.get("editor"), users.get("coordinator")
    if editor is not None and DRC in orgs:
        for kind in (FocalPointKind.PSEA, FocalPointKind.FEEDBACK):
            if not FocalPoint.objects.filter(
                organisation=orgs[DRC], user=editor, kind=kind
            ).exists():
                services.focal_point_add(actor=None, organisation=orgs[DRC], user=editor, kind=kind)
    if coordinator is not None and not PseaCoordinator.objects.filter(group=group).exists():
        services.psea_coordinator_add(actor=None, group=group, user=coordinator)


def _item(group: Group, orgs: dict[str, Organisation], spec: tuple[Any, ...]) -> None:
    channel, code, text, days, fate, organisation = spec
    now = timezone.now()
    received = now - datetime.timedelta(days=days)
    concerned = orgs.get(organisation) if fate == "sensitive" and organisation else None
    item = services.submit_feedback(
        actor=None,
        group=group,
        source=IntakeSource.STAFF,
        data={
            "channel": channel,
            "code": code,
            "original_text": text,
            "received_at": received,
            "language": "en",
            "wants_answer": fate in ("answered", "answer_open"),
            "consent_given": True,
            "concerned_organisation": concerned,
        },
    )
    if fate in ("new", "sensitive"):
        return
    if fate == "closed":
        services.close_item(actor=None, item=item, note="Thanks passed on to the team.")
        return
    target = orgs.get(organisation or "")
    if target is None:
        return
    item = services.refer(actor=None, item=item, organisation=target)
    if fate == "referred":
        return
    item = services.acknowledge(actor=None, item=item)
    if fate == "acknowledged":
        return
    if fate == "action":
        services.record_action(actor=None, item=item, note="Tracing request sent to the ICRC.")
        return
    services.give_answer(
        actor=None,
        item=item,
        answer="Explained the selection criteria; the household was added to the next intake."
        if fate == "answered"
        else "Told the person where and when to renew the card.",
        via=AnswerChannel.PHONE if fate == "answered" else AnswerChannel.SMS,
        satisfaction=Satisfaction.SATISFIED if fate == "answered" else Satisfaction.NOT_ASKED,
        close=fate == "answered",
    )


@transaction.atomic
def load(stdout: TextIO) -> None:
    group = Group.objects.filter(name=UGANDA).first()
    if group is None:
        stdout.write("Feedback: no Uganda National Group (load the network demo first).\n")
        return
    names = [DRC, UNHCR, URCS, RLP]
    orgs = {o.name: o for o in Organisation._base_manager.filter(name__in=names)}
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["editor", "coordinator"])
    }
    _focal_points(group, users, orgs)
    known = set(FeedbackItem.objects.filter(group=group).values_list("original_text", flat=True))
    added = 0
    for spec in ITEMS:
        if spec[2] in known:
            continue
        _item(group, orgs, spec)
        added += 1
    stdout.write(f"Feedback: {added} items added in {UGANDA}.\n")

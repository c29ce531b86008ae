"""Duplicate and rumour clustering: similar feedback from the same place in the same week is
grouped, so twenty messages about one rumour read as one rumour heard twenty times.

Texts are compared in Python (they are encrypted at rest) with rapidfuzz on normalised words;
only the few items of one place and one week are read. Sensitive items are never clustered:
a cluster's size would count them.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from rapidfuzz import fuzz

from .choices import ClusterKind, EventKind
from .framework import FeedbackType
from .models import FeedbackCluster, FeedbackEvent, FeedbackItem

DEFAULT_SCORE = 80.0
_WORDS = re.compile(r"[^\w]+", re.UNICODE)


def normalise(text: str) -> str:
    return " ".join(_WORDS.sub(" ", (text or "").casefold()).split())


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def similarity(a: str, b: str) -> float:
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0
    return float(fuzz.token_set_ratio(left, right))


def _text(item: FeedbackItem) -> str:
    return item.original_text or item.summary


def _min_score() -> float:
    return float(getattr(settings, "FEEDBACK_CLUSTER_SCORE", DEFAULT_SCORE))


def assign_cluster(item: FeedbackItem) -> FeedbackCluster | None:
    """Put the item with its closest match of the same place and week (same person: always)."""
    if item.sensitive or not (_text(item) or item.contact_hash):
        return None
    week = week_of(item.received_on)
    candidates = (
        FeedbackItem.objects.filter(
            group_id=item.group_id,
            admin_area_id=item.admin_area_id,
            sensitive=False,
            received_on__gte=week,
            received_on__lt=week + datetime.timedelta(days=7),
        )
        .exclude(pk=item.pk)
        .select_related("cluster")
        .order_by("-received_at")[:500]
    )
    text = _text(item)
    best: tuple[float, FeedbackItem] | None = None
    for other in candidates:
        score = similarity(text, _text(other))
        if item.contact_hash and other.contact_hash == item.contact_hash:
            score = max(score, 100.0 if score >= 50 else score)
        if score >= _min_score() and (best is None or score > best[0]):
            best = (score, other)
    if best is None:
        return None
    other = best[1]
    cluster = other.cluster
    if cluster is None:
        rumour = FeedbackType.OBSERVATION in (item.feedback_type, other.feedback_type)
        cluster = FeedbackCluster.objects.create(
            group_id=item.group_id,
            admin_area_id=item.admin_area_id,
            week=week,
            kind=ClusterKind.RUMOUR if rumour else ClusterKind.SIMILAR,
            label=(other.summary or _text(other))[:200],
            previous=_previous_week(other, week),
        )
        FeedbackItem.objects.filter(pk=other.pk).update(cluster=cluster)
    elif item.feedback_type == FeedbackType.OBSERVATION and cluster.kind != ClusterKind.RUMOUR:
        FeedbackCluster.objects.filter(pk=cluster.pk).update(kind=ClusterKind.RUMOUR)
    FeedbackItem.objects.filter(pk=item.pk).update(cluster=cluster)
    item.cluster = cluster
    FeedbackEvent.objects.create(
        item=item,
        kind=EventKind.CLUSTERED,
        time=item.received_at,
        data={"cluster": cluster.pk, "score": round(best[0], 1)},
    )
    return cluster


def _previous_week(item: FeedbackItem, week: datetime.date) -> FeedbackCluster | None:
    """The cluster of the same place a week earlier that says the same: a rumour going on."""
    earlier = FeedbackCluster.objects.filter(
        group_id=item.group_id,
        admin_area_id=item.admin_area_id,
        week=week - datetime.timedelta(days=7),
    )
    text = item.summary or _text(item)
    scored = [(similarity(text, c.label), c) for c in earlier[:200]]
    scored = [s for s in scored if s[0] >= _min_score()]
    return max(scored, key=lambda s: s[0])[1] if scored else None

"""Decisions on hits: on record, never edited, cleared until the list entry changes."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from harambee.core.errors import PermissionDeniedError
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.screening.choices import Outcome
from harambee.screening.dd import decisions as d
from harambee.screening.matching.engine import Query
from harambee.screening.models import ScreeningDecision
from harambee.screening.services import load_list

from .conftest import changed_un

pytestmark = pytest.mark.django_db

QUERY = Query(name="Abdul Latif Mansoor", schema="person")


def clear(editor, query=QUERY, reason="Different person: born 1990, Kenyan ID checked."):
    return d.decide_query_hit(
        actor=editor, query=query, list_code="un", ref="TAi.001", outcome="cleared", reason=reason
    )


def test_decision_records_version_query_score_and_explanation(un_small, editor):
    decision = clear(editor)
    assert decision.decided_by == editor and decision.decided_by_name.endswith("(edna)")
    assert decision.organisation_id == editor.organisation_id
    assert decision.list_version == un_small and decision.list_code == "un"
    assert decision.entry_ref == "TAi.001" and decision.listed_name == "ABDUL LATIF MANSUR"
    assert decision.query["name"] == "Abdul Latif Mansoor" and decision.query["schema"] == "person"
    assert 0.8 <= decision.score <= 1.0
    assert decision.explanation["parts"] and decision.explanation["query_name"] == QUERY.name
    assert len(decision.entry_fingerprint) >= 16
    record = ChangeRecord.objects.for_object(decision).get()
    assert record.after["outcome"] == "cleared" and record.user == editor


def test_clearing_needs_a_reason_and_a_known_hit(un_small, editor):
    with pytest.raises(d.DecisionError):
        clear(editor, reason="  ")
    with pytest.raises(d.DecisionError):
        d.decide_query_hit(
            actor=editor, query=QUERY, list_code="un", ref="QDe.200", outcome="cleared", reason="x"
        )
    escalated = d.decide_query_hit(
        actor=editor, query=QUERY, list_code="un", ref="TAi.001", outcome="escalated", reason=""
    )
    assert escalated.reason == "Escalated"


def test_only_editors_and_focal_points_decide(un_small, ngo):
    viewer = UserFactory(organisation=ngo)
    with pytest.raises(PermissionDeniedError):
        clear(viewer)
    from harambee.screening.models import ComplianceFocalPoint

    ComplianceFocalPoint.objects.create(organisation=ngo, user=viewer)
    assert clear(viewer).decided_by == viewer
    outsider = UserFactory(organisation=None)
    with pytest.raises(PermissionDeniedError):
        clear(outsider)


def test_record_cannot_be_edited_or_deleted(un_small, editor):
    decision = clear(editor)
    decision.reason = "changed my mind"
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        decision.delete()
    with pytest.raises(PermissionError):
        ScreeningDecision.objects.filter(pk=decision.pk).update(reason="x")
    with pytest.raises(PermissionError):
        ScreeningDecision.objects.all().delete()
    assert ScreeningDecision.objects.get(pk=decision.pk).reason.startswith("Different person")
    admin = site._registry[ScreeningDecision]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not admin.has_change_permission(request, decision)
    assert not admin.has_delete_permission(request, decision)
    assert not admin.has_add_permission(request)


def test_cleared_stays_cleared_until_the_entry_changes(un_small, editor, tmp_path):
    clear(editor)
    hit = {"list": "un", "ref": "TAi.001"}

    def state(query, versions):
        [annotated] = d.annotate_hits(
            organisation_id=editor.organisation_id, query=query, hits=[hit], version_ids=versions
        )
        return annotated["cleared"], annotated["entry_changed"]

    assert state(QUERY, [un_small.pk]) == (True, False)
    # the same query written differently is the same query
    assert state(Query(name="  abdul LATIF   mansoor", schema="person"), [un_small.pk]) == (
        True,
        False,
    )
    # another query (other date of birth) is not cleared by it
    assert state(
        Query(name="Abdul Latif Mansoor", schema="person", date_of_birth="1990"), [un_small.pk]
    ) == (False, False)
    # another organisation's decision does not clear anything for us
    assert not d.annotate_hits(
        organisation_id=None, query=QUERY, hits=[hit], version_ids=[un_small.pk]
    )[0]["cleared"]
    # a new version where only another entry changes: still cleared
    other = load_list(source="un", path=changed_un(tmp_path, "2010-01-01", "2011-01-01"))
    assert state(QUERY, [other.pk]) == (True, False)
    # a new version that changes the entry: the hit is back for review
    changed = load_list(
        source="un", path=changed_un(tmp_path, "<YEAR>1968</YEAR>", "<YEAR>1969</YEAR>")
    )
    assert "TAi.001" in changed.diff["changed_refs"]
    assert state(QUERY, [changed.pk]) == (False, True)


def test_result_hit_decision_uses_the_batch_versions(un_small, editor, immediate_tasks):
    from harambee.screening.services import start_batch

    batch = start_batch(
        actor=editor, file_name="p.csv", content=b"id,name\np1,Abdul Latif Mansoor\np2,Jane Doe\n"
    )
    result = batch.results.get(query_id="p1")
    decision = d.decide_result_hit(
        actor=editor, result=result, list_code="un", ref="TAi.001", outcome="confirmed", reason=""
    )
    assert decision.outcome == Outcome.CONFIRMED and decision.list_version == un_small
    assert "row 1" in decision.subject and decision.score == result.hits[0]["score"]
    other = UserFactory(organisation=None)
    with pytest.raises(PermissionDeniedError):
        d.decide_result_hit(
            actor=other, result=result, list_code="un", ref="TAi.001", outcome="cleared", reason="x"
        )


def test_export_csv_and_json(un_small, editor):
    clear(editor)
    queryset = d.decisions(user=editor)
    text = d.export_csv(queryset)
    header, row = text.splitlines()[:2]
    assert header.startswith("id,decided_at,decided_by,outcome,reason,query_name")
    assert "cleared" in row and "TAi.001" in row and un_small.file_sha256 in row
    data = json.loads(d.export_json(queryset))
    [only] = data["decisions"]
    assert only["list_version"] == un_small.pk and only["explanation"]["parts"]
    # other organisations see none of it
    assert not d.decisions(user=UserFactory(organisation=None)).exists()

"""Continuous screening: a new list version re-screens organisations, people, board members
and payees; new hits alert the organisation's compliance focal points."""

from __future__ import annotations

import pytest
from django.core import mail

from harambee.core.choices import Role
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory, PersonFactory
from harambee.screening.choices import AlertStatus, SubjectKind
from harambee.screening.dd import decisions as d
from harambee.screening.dd.continuous import alert_recipients, rescreen_all
from harambee.screening.dd.payees import payee_add
from harambee.screening.dd.profile import profile_for
from harambee.screening.matching.engine import Query
from harambee.screening.models import ComplianceFocalPoint, ScreeningAlert
from harambee.screening.services import load_list

from .conftest import SMALL_UN, changed_un

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def watched(ngo, editor):
    """An NGO with a listed person, a board member and a payee close to listed names."""
    PersonFactory(organisation=ngo, name="Vladimir Petrov")
    profile = profile_for(ngo)
    profile.board = [{"name": "Mohammed Hassan al-Tikriti", "role": "Treasurer"}]
    profile.save()
    focal = UserFactory(username="fiona", organisation=ngo, email="fiona@example.org")
    ComplianceFocalPoint.objects.create(organisation=ngo, user=focal)
    return focal


def test_a_list_load_rescreens_everyone_and_alerts_the_focal_point(
    watched, ngo, editor, immediate_tasks, tmp_path
):
    OrganisationFactory(name="Al Furqan Trading Company")  # another organisation, listed name
    version = load_list(source="un", path=SMALL_UN)  # runs the task when committed
    alerts = ScreeningAlert.objects.filter(organisation=ngo)
    kinds = {(a.subject_kind, a.entry_ref) for a in alerts}
    assert (SubjectKind.PERSON, "XXi.003") in kinds
    assert (SubjectKind.BOARD_MEMBER, "IQi.099") in kinds
    assert all(a.list_version == version and a.status == AlertStatus.OPEN for a in alerts)
    assert ScreeningAlert.objects.filter(subject_kind=SubjectKind.ORGANISATION).exists()
    # the focal point got one email for the NGO, without names in it
    to_fiona = [m for m in mail.outbox if m.to == ["fiona@example.org"]]
    assert len(to_fiona) == 1 and "Vladimir" not in to_fiona[0].body
    assert "/screening/alerts/" in to_fiona[0].body
    # the same list again: nothing new, no new alert, no email
    mail.outbox.clear()
    before = ScreeningAlert.objects.count()
    load_list(source="un", path=SMALL_UN)
    assert ScreeningAlert.objects.count() == before and mail.outbox == []
    # the entry changes: alert again
    load_list(source="un", path=changed_un(tmp_path, "2010-01-01", "2010-02-02"))
    assert ScreeningAlert.objects.filter(organisation=ngo, entry_ref="XXi.003").count() == 2


def test_payee_screened_when_added_and_cleared_hits_do_not_alert(
    watched, ngo, editor, immediate_tasks, tmp_path
):
    load_list(source="un", path=SMALL_UN)
    payee = payee_add(actor=editor, data={"name": "Abdul Latif Mansoor", "schema": "person"})
    alert = ScreeningAlert.objects.get(subject_kind=SubjectKind.PAYEE, subject_id=payee.pk)
    assert alert.entry_ref == "TAi.001" and alert.hit["explanation"]["parts"]
    decision = d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.REVIEWED and alert.decision == decision
    # the entry changes for another reason (a new alias): the cleared hit comes back
    load_list(source="un", path=changed_un(tmp_path, "Abu Latif", "Abu Abdul Latif"))
    assert ScreeningAlert.objects.filter(entry_ref="TAi.001", status=AlertStatus.OPEN).count() == 1
    # re-screening with nothing changed: the cleared hit does not alert
    ScreeningAlert.objects.filter(status=AlertStatus.OPEN).delete()
    d.decide_query_hit(
        actor=editor,
        query=Query(name="Abdul Latif Mansoor", schema="person"),
        list_code="un",
        ref="TAi.001",
        outcome="cleared",
        reason="Other man, checked again.",
    )
    assert [a for a in rescreen_all() if a.entry_ref == "TAi.001"] == []


def test_without_focal_points_coordinators_are_told(ngo):
    coordinator = UserFactory(organisation=ngo)
    GroupRoleFactory(user=coordinator, role=Role.COORDINATOR)
    UserFactory(organisation=ngo)
    assert alert_recipients(ngo.pk) == [coordinator]

"""`harambee commitments-refresh-status`: enqueue the daily refresh, or run it with --now."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ..models import Commitment
from .factories import CommitmentFactory, IndicatorFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_now_refreshes_and_reports_counts():
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator, value=100)
    ReportFactory(indicator=indicator, value=150, period_end=datetime.date(2025, 1, 31))
    commitment = CommitmentFactory(indicators=[indicator])
    out = StringIO()
    call_command("commitments-refresh-status", "--now", "--as-of", "2025-03-01", stdout=out)
    assert "1 checked, 1 changed." in out.getvalue()
    assert Commitment.objects.get(pk=commitment.pk).status == "achieved"


def test_enqueues_by_default_and_refuses_a_bad_date():
    out = StringIO()
    call_command("commitments-refresh-status", stdout=out)
    assert "queued" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("commitments-refresh-status", "--as-of", "tomorrow")

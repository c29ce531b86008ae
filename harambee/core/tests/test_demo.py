"""`harambee demo`: every app's demo module loads, adds nothing the second time, and each app's
main page shows demo content to the demo users. The heavy files are sliced in the per-module
tests (small test files instead); one test runs the whole demo on the real data."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from harambee.commitments import demo as commitments_demo
from harambee.commitments.models import Commitment, ProgressReport, ScheduleLine
from harambee.core.models import User
from harambee.feedback import demo as feedback_demo
from harambee.feedback.models import FeedbackItem, FocalPoint, PseaCoordinator
from harambee.funding import demo as funding_demo
from harambee.funding.models import AggregateFlow, Flow, PooledFundEntry
from harambee.matching import demo as matching_demo
from harambee.matching.models import Match, Offer
from harambee.network import demo as network_demo
from harambee.screening import demo as screening_demo
from harambee.screening.models import ScreeningBatch

pytestmark = pytest.mark.django_db

DATA = settings.PROJECT_DIR.parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="no ../shared/data")
JORDAN = DATA / "funding" / "fts_jordan_2020"
UN_SAMPLE = DATA / "sanctions" / "format_samples" / "sample_unsc.xml"
MISSING = Path("/nonexistent/file")


def load(module, out=None):
    out = out or StringIO()
    module.load(out)
    return out.getvalue()


def counts():
    models = [Flow, PooledFundEntry, AggregateFlow, Commitment, ProgressReport, FeedbackItem,
              FocalPoint, Offer, Match, ScreeningBatch]  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def sliced(monkeypatch):
    """The network, then small slices of the real files: Jordan's FTS flows only, the pound
    rates of the tests, no IATI file, the UN format sample instead of the full lists."""
    load(network_demo)
    monkeypatch.setattr(funding_demo, "RATES", funding_demo.GBP_RATES)
    monkeypatch.setattr(funding_demo, "FTS_FILES", [JORDAN])
    monkeypatch.setattr(funding_demo, "IATI_FILE", MISSING)
    monkeypatch.setattr(screening_demo, "LISTS", [("un", "un", UN_SAMPLE)])


def page(client, username, url):
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@needs_data
def test_funding_and_commitments_demo(sliced, client):
    out = load(funding_demo)
    assert "no IATI file" in out
    assert Flow.objects.filter(source_system="fts").exists()
    assert PooledFundEntry.objects.values("stage").distinct().count() == 4
    assert AggregateFlow.objects.count() == 1
    load(commitments_demo)
    assert set(Commitment.objects.values_list("type", flat=True)) == {
        "technical", "policy", "financial"
    }  # fmt: skip
    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert len(statuses) >= 2
    assert ProgressReport.objects.filter(status="approved").count() == 5
    assert ScheduleLine.objects.get(commitment__code="DEMO-FIN-DANIDA").flows.exists()
    first = counts()
    load(funding_demo)
    load(commitments_demo)
    assert counts() == first
    assert "Jordan" in page(client, "viewer", reverse("funding:home"))
    listing = page(client, "viewer", reverse("commitments:commitment-list"))
    assert "DEMO-JOINT-EDU" in listing or "Enrol 1,200 refugee children" in listing


def test_feedback_demo_sensitive_item_only_for_focal_points(sliced, client):
    load(feedback_demo)
    assert FeedbackItem.objects.count() == len(feedback_demo.ITEMS)
    assert FocalPoint.objects.filter(user__username="editor", kind="psea").exists()
    assert PseaCoordinator.objects.filter(user__username="coordinator").exists()
    statuses = set(FeedbackItem.objects.values_list("status", flat=True))
    assert {"new", "referred", "acknowledged", "in_progress", "answered", "closed"} <= statuses
    first = counts()
    load(feedback_demo)
    assert counts() == first
    sensitive = FeedbackItem.objects.get(sensitive=True)
    url = reverse("feedback:item-detail", args=[sensitive.pk])
    assert "favours" in page(client, "editor", url)
    client.force_login(User.objects.get(username="viewer"))
    assert client.get(url).status_code in (403, 404)
    listing = page(client, "coordinator", reverse("feedback:item-list"))
    assert "Nakivale" in listing or "FB-" in listing


@needs_data
def test_matching_demo(sliced, client):
    out = load(matching_demo)
    assert "ESCO loaded" in out
    assert Offer.objects.filter(cohort=matching_demo.COHORT).count() == 7
    assert Match.objects.exists()
    assert Match.objects.filter(status="contacted").count() == 1
    first = counts()
    load(matching_demo)
    assert counts() == first
    assert "nakivale-clinic" in page(client, "coordinator", reverse("matching:board")).lower()


@needs_data
def test_screening_demo(sliced, client):
    load(screening_demo)
    batch = ScreeningBatch.objects.get(file_name=screening_demo.BATCH_FILE)
    assert batch.status == "done"
    assert batch.rows_total == 53
    first = counts()
    load(screening_demo)
    assert counts() == first
    client.force_login(User.objects.get(username="admin"))
    listed = client.get("/api/screening/batches/").json()
    assert screening_demo.BATCH_FILE in str(listed)


@needs_data
def test_whole_demo_loads_twice_and_lists_the_roles():
    out = StringIO()
    call_command("demo", stdout=out)
    first = counts()
    assert all(first.values()), first
    again = StringIO()
    call_command("demo", stdout=again)
    assert counts() == first
    assert "PSEA" in again.getvalue()

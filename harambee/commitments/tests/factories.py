"""Factories for commitments tests."""

import datetime

import factory

from harambee.core.choices import Visibility
from harambee.network.tests.factories import OrganisationFactory
from harambee.places.models import Country

from ..choices import CommitmentType, ReportStatus
from ..models import (
    Commitment,
    CommitmentOrganisation,
    Forum,
    Indicator,
    IndicatorTarget,
    Milestone,
    ProgressReport,
    ResultsFramework,
)

BASE = datetime.date(2025, 1, 1)


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    name = factory.Sequence(lambda n: f"Forum {n}")
    kind = "refugee_forum"
    date = datetime.date(2023, 12, 13)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResultsFramework

    code = factory.Sequence(lambda n: f"FW{n}")
    title = factory.Sequence(lambda n: f"Framework {n}")
    visibility = Visibility.PUBLIC


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"IND{n}")
    title = factory.Sequence(lambda n: f"Indicator {n}")
    baseline_value = 0
    baseline_date = BASE


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    date = datetime.date(2025, 4, 11)
    value = 1000


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"C-{n:04d}")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    type = CommitmentType.POLICY
    visibility = Visibility.PUBLIC
    # What the services would flag for a bare commitment (factories bypass them).
    smart_missing = "place,population,indicator,target,date"
    smart_missing_count = 5

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.countries.set(extracted)

    @factory.post_generation
    def indicators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.indicators.set(extracted)


class ShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentOrganisation

    commitment = factory.SubFactory(CommitmentFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    framework = factory.SubFactory(FrameworkFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    planned_date = datetime.date(2025, 6, 30)
    due_date = datetime.date(2025, 6, 30)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    indicator = factory.SubFactory(IndicatorFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    country = factory.LazyFunction(lambda: Country.objects.get(iso3="UGA"))
    place_code = "UGA"
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 1, 31)
    value = 1
    status = ReportStatus.APPROVED

"""Factories for activities tests. Sectors reuse the global clusters the migration loads."""

import factory

from harambee.core.choices import Visibility
from harambee.network.tests.factories import OrganisationFactory
from harambee.places.models import AdminArea, Country

from ..choices import ActivityStatus, FigureKind, OrganisationRole
from ..models import Activity, ActivityFigure, ActivityOrganisation, ActivityPlace, Sector


class SectorFactory(factory.django.DjangoModelFactory):
    """A global cluster by code (get_or_create: the migration loaded them already)."""

    class Meta:
        model = Sector
        django_get_or_create = ("code", "country")

    code = "WSH"
    name = factory.LazyAttribute(lambda s: s.code)
    country = None


class CountrySectorFactory(SectorFactory):
    code = factory.Sequence(lambda n: f"LOC{n}")
    name = factory.Sequence(lambda n: f"Local sector {n}")
    country = factory.LazyFunction(lambda: Country.objects.get(iso3="AFG"))


class AdminAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminArea
        django_get_or_create = ("pcode",)

    pcode = factory.Sequence(lambda n: f"AF9{n:03d}")
    country = factory.LazyFunction(lambda: Country.objects.get(iso3="AFG"))
    level = 1
    name = factory.Sequence(lambda n: f"Province {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    country = factory.LazyFunction(lambda: Country.objects.get(iso3="AFG"))
    implementing_organisation = factory.SubFactory(OrganisationFactory)
    sector = factory.SubFactory(SectorFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    status = ActivityStatus.ONGOING
    visibility = Visibility.PUBLIC

    @factory.post_generation
    def population_groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.population_groups.set(extracted)


class ActivityPlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityPlace

    activity = factory.SubFactory(ActivityFactory)
    admin_area = factory.SubFactory(AdminAreaFactory)
    source_pcode = factory.LazyAttribute(lambda p: p.admin_area.pcode if p.admin_area else "")
    source_names = factory.LazyAttribute(lambda p: [p.admin_area.name] if p.admin_area else [])


class ActivityOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityOrganisation

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationRole.FUNDING


class ActivityFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityFigure

    activity = factory.SubFactory(ActivityFactory)
    kind = FigureKind.REACHED
    value = 100


def placed_activity(area, **kwargs):
    """An activity with one place in `area`."""
    activity = ActivityFactory(**kwargs)
    ActivityPlaceFactory(activity=activity, admin_area=area)
    return activity

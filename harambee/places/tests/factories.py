import factory

from harambee.places.choices import EmergencyType
from harambee.places.models import AdminArea, Country, Emergency


class AdminAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminArea

    pcode = factory.Sequence(lambda n: f"GN9{n:03d}")
    country = factory.LazyFunction(lambda: Country.objects.get(iso3="GIN"))
    level = 1
    name = factory.Sequence(lambda n: f"Area {n}")


class EmergencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Emergency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Emergency {n}")
    emergency_type = EmergencyType.FLOOD

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        if create:
            obj.countries.set(
                Country.objects.filter(iso3__in=extracted or ["GIN"]).values_list("pk", flat=True)
            )

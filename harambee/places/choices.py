from django.db import models
from django.utils.translation import gettext_lazy as _


class EmergencyType(models.TextChoices):
    """GLIDE hazard codes (glidenumber.net), the field's way of naming a crisis type."""

    COMPLEX = "CE", _("Complex emergency")
    EPIDEMIC = "EP", _("Epidemic")
    DROUGHT = "DR", _("Drought")
    FLOOD = "FL", _("Flood")
    FLASH_FLOOD = "FF", _("Flash flood")
    EARTHQUAKE = "EQ", _("Earthquake")
    TROPICAL_CYCLONE = "TC", _("Tropical cyclone")
    STORM = "ST", _("Severe local storm")
    TSUNAMI = "TS", _("Tsunami")
    VOLCANO = "VO", _("Volcano")
    LANDSLIDE = "LS", _("Landslide")
    FAMINE = "FA", _("Famine")
    INSECT = "IN", _("Insect infestation")
    WILD_FIRE = "WF", _("Wild fire")
    COLD_WAVE = "CW", _("Cold wave")
    HEAT_WAVE = "HT", _("Heat wave")
    TECHNOLOGICAL = "AC", _("Technological disaster")
    OTHER = "OT", _("Other")

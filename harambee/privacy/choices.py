from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")
    CORRECT = "correct", _("Corrected")
    ERASE = "erase", _("Erased")


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    DATA_PROTECTION = "dpo", _("Data protection")
    SYSTEM = "system", _("System")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal")
    ONLINE = "online", _("Online form")
    INTERMEDIARY = "intermediary", _("Through an intermediary")

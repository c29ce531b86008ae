from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "harambee.screening"
    label = "screening"
    verbose_name = _("Sanctions screening")

    def ready(self) -> None:
        from django.conf import settings

        from harambee.privacy.registry import personal_data

        from .models import ScreeningBatch, ScreeningResult

        # Names and dates of birth of the people screened: kept SCREENING_RETENTION_DAYS (90)
        # after the batch, then erased; the batch, its counts and each row's score stay.
        days = settings.SCREENING_RETENTION_DAYS
        personal_data.register(ScreeningBatch, retention_days=days, date_field="created_at")
        personal_data.register(
            ScreeningResult,
            retention_days=days,
            date_field="batch__created_at",
            search={"name": "name_hash"},
        )

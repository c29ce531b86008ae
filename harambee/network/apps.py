from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "harambee.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from django.conf import settings

        from harambee.privacy.registry import personal_data

        from .models import Person

        personal_data.register(
            Person,
            retention_days=settings.PRIVACY_DEFAULT_RETENTION_DAYS,
            date_field="updated_at",
            search={"name": "name_hash", "email": "email_hash", "phone": "phone_hash"},
        )

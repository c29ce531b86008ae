from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "harambee.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from django.conf import settings

        from harambee.privacy.registry import personal_data

        from .models import Credential, Profile

        # A profile nobody has touched for the retention period loses its personal fields (the
        # anonymous counts of matches stay); the officer finds it by name, email or phone.
        personal_data.register(
            Profile,
            retention_days=settings.PRIVACY_DEFAULT_RETENTION_DAYS,
            date_field="updated_at",
            search={"name": "name_hash", "email": "email_hash", "phone": "phone_hash"},
        )
        personal_data.register(
            Credential,
            retention_days=settings.PRIVACY_DEFAULT_RETENTION_DAYS,
            date_field="profile__updated_at",
        )

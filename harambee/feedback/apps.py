from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "harambee.feedback"
    label = "feedback"
    verbose_name = _("Feedback and complaints")

    def ready(self) -> None:
        from django.conf import settings

        from harambee.privacy.registry import personal_data

        from .choices import OPEN_STATUSES, RawStatus
        from .models import FeedbackEvent, FeedbackItem, RawIntake

        # Items: contact, name, words, answer erased FEEDBACK_RETENTION_DAYS (730) after the
        # item was closed; open items are kept whatever their age. Found by contact (phone or
        # email through the one keyed hash) for the data protection officer.
        personal_data.register(
            FeedbackItem,
            retention_days=settings.FEEDBACK_RETENTION_DAYS,
            date_field="closed_at",
            search={"phone": "contact_hash", "email": "contact_hash"},
            retainable=lambda qs: qs.exclude(status__in=OPEN_STATUSES),
        )
        # Timeline notes may quote the person: same period, from the item's closing.
        personal_data.register(
            FeedbackEvent,
            retention_days=settings.FEEDBACK_RETENTION_DAYS,
            date_field="item__closed_at",
            retainable=lambda qs: qs.exclude(item__status__in=OPEN_STATUSES),
        )
        # What a gateway or an import sent: FEEDBACK_RAW_RETENTION_DAYS (180) after arrival,
        # except intakes still waiting for review.
        personal_data.register(
            RawIntake,
            retention_days=settings.FEEDBACK_RAW_RETENTION_DAYS,
            date_field="created_at",
            retainable=lambda qs: qs.exclude(status=RawStatus.REJECTED),
        )

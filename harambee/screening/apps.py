from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "harambee.screening"
    label = "screening"
    verbose_name = _("Sanctions screening")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models import Q

        from harambee.privacy.registry import personal_data

        from .choices import AlertStatus, SubjectKind
        from .models import ALERT_IS_OPEN, Payee, ScreeningAlert, ScreeningBatch, ScreeningResult

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
        # Payees (often people: beneficiaries, suppliers): kept as contact people are,
        # PRIVACY_DEFAULT_RETENTION_DAYS after the last change ("screening.payee" in
        # PRIVACY_RETENTION_DAYS overrides it), except while an alert on them waits for review.
        # Erasure blanks name, date of birth, nationality, identifiers and notes; the payee (its
        # id, type, organisation) stays, and so does the decision record, which is never erased.
        personal_data.register(
            Payee,
            retention_days=settings.PRIVACY_DEFAULT_RETENTION_DAYS,
            date_field="updated_at",
            search={"name": "name_hash"},
        )
        # Alerts name the payee, contact person, board member or organisation screened: kept
        # as payees are (PRIVACY_DEFAULT_RETENTION_DAYS after the last change, i.e. the review;
        # "screening.screeningalert" in PRIVACY_RETENTION_DAYS overrides it), open alerts kept
        # whatever their age. Found by the name screened; erased with the payee or the contact
        # person they name (retention or data protection), so nothing is left of a person whose
        # data was erased; and while one waits for review, retention keeps the payee or contact
        # person it names (kept_while: the officer may still erase them, the record page says
        # an alert is open). Erasure blanks the name, query, hit and their keyed hashes; the alert
        # (list entry, score, status, the decision that closed it) stays.
        personal_data.register(
            ScreeningAlert,
            retention_days=settings.PRIVACY_DEFAULT_RETENTION_DAYS,
            date_field="updated_at",
            search={"name": "subject_name_hash"},
            retainable=lambda alerts: alerts.exclude(status=AlertStatus.OPEN),
            erased_with={
                "screening.payee": lambda ids: Q(
                    subject_kind=SubjectKind.PAYEE, subject_id__in=ids
                ),
                "network.person": lambda ids: Q(
                    subject_kind=SubjectKind.PERSON, subject_id__in=ids
                ),
            },
            kept_while={
                "screening.payee": lambda ids: (
                    ALERT_IS_OPEN & Q(subject_kind=SubjectKind.PAYEE, subject_id__in=ids)
                ),
                "network.person": lambda ids: (
                    ALERT_IS_OPEN & Q(subject_kind=SubjectKind.PERSON, subject_id__in=ids)
                ),
            },
        )

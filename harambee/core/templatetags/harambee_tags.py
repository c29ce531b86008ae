"""Small helpers the page templates share."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, url_name: str, exact: bool = False) -> SafeString:
    """aria-current="page" on the nav link of the section the visitor is in."""
    request = context.get("request")
    if request is None:
        return mark_safe("")
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return mark_safe("")
    path = request.path
    current = path == url if exact or url == "/" else path.startswith(url)
    return mark_safe(' aria-current="page"') if current else mark_safe("")


@register.filter
def change_value(value: Any) -> str:
    """A value from a change record, readable: lists joined, empty shown as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


@register.filter
def is_overdue(item: Any) -> bool:
    """A work plan item or request past its date and not finished."""
    due = getattr(item, "due_date", None) or getattr(item, "needed_by", None)
    if not isinstance(due, datetime.date):
        return False
    return due < timezone.localdate() and getattr(item, "status", "") not in {
        "done",
        "dropped",
        "declined",
    }


@register.filter
def field_type(bound_field: Any) -> str:
    """The widget's kind, so a template can lay out checkboxes next to their label."""
    return bound_field.field.widget.__class__.__name__.lower()


@register.simple_tag
def status_badge(value: str, label: str) -> SafeString:
    return format_html('<span class="badge badge-{}">{}</span>', value, label)


# Bookkeeping that changes on every save; showing it would only hide the real changes.
HIDDEN_CHANGES = frozenset({"version", "created_at", "updated_at"})


@register.simple_tag
def changes_of(record: Any) -> list[dict[str, Any]]:
    """A change record's differences, each field named by its (translated) label."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import FieldDoesNotExist

    model = ContentType.objects.get_for_id(record.content_type_id).model_class()
    rows = []
    for change in record.changed_fields:
        if change["field"] in HIDDEN_CHANGES:
            continue
        label = change["field"]
        if model is not None:
            try:
                field = model._meta.get_field(change["field"])
            except FieldDoesNotExist:
                field = None
            if field is not None:
                label = str(getattr(field, "verbose_name", label))
                label = label[:1].upper() + label[1:]
                choices = dict(getattr(field, "flatchoices", None) or ())
                if choices:
                    # Show "International NGO", not the stored "international_ngo".
                    change = {
                        **change,
                        "before": choices.get(change["before"], change["before"]),
                        "after": choices.get(change["after"], change["after"]),
                    }
        rows.append({**change, "label": label})
    return rows

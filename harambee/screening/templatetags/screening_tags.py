"""Template helpers of the screening pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def profile_value(profile: Any, name: str) -> SafeString | str:
    """One field of the compliance profile, readable."""
    value = getattr(profile, name)
    if name == "board":
        if not value:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        " · ".join(
                            str(m.get(k, ""))
                            for k in ("name", "role", "date_of_birth", "nationality")
                            if m.get(k)
                        ),
                    )
                    for m in value
                ),
            ),
        )
    if name == "high_risk_countries":
        names = [c.name for c in value.all()]
        return ", ".join(names) if names else "—"
    if value in (None, ""):
        return "—"
    return str(value)


@register.inclusion_tag("screening/_organisation_key.html")
def organisation_key(organisation: Any) -> dict[str, Any]:
    """The organisation's published signing key (for its page in the network)."""
    from ..models import SigningKey

    return {
        "organisation": organisation,
        "key": SigningKey.objects.filter(organisation_id=organisation.pk).first(),
        "label": _("Due-diligence signing key"),
    }

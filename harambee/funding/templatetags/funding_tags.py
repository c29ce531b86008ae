"""Template helpers for the money pages, and the "money" panel of a country group's page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from harambee.funding import counting, selectors

register = template.Library()


@register.filter
def usd(value: Any) -> str:
    """A US dollar amount, whole dollars, grouped by thousands in the page's language."""
    if value is None or value == "":
        return "—"
    return number_format(Decimal(value).quantize(Decimal(1)), 0, force_grouping=True)


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{number_format(round(float(value), 1), 1)} %"


@register.filter
def group_label(row: dict[str, Any]) -> str:
    """A group's label, with "not specified" and "shared" in the page's language."""
    from django.utils.translation import gettext

    if row.get("key") == counting.NOT_SPECIFIED:
        return gettext("not specified")
    if row.get("key") == counting.SHARED:
        return gettext("shared between several")
    return str(row.get("label") or "")


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.inclusion_tag("funding/_group_panel.html", takes_context=True)
def group_money_panel(context: template.Context, group: Any) -> dict[str, Any]:
    """A country group's page: the money supporting its country, counted once."""
    country = getattr(group, "country", None)
    if country is None:
        return {"country": None}
    user = context.get("user")
    money = selectors.country_money(user=user, country=country.iso3)
    return {"country": country, "money": money, "top_donors": money["by_donor"][:5]}

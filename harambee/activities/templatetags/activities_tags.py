"""Template helpers for the activity pages, and the "where we work" panels that the
organisation and group pages include."""

from __future__ import annotations

from typing import Any

from django import template

from harambee.activities import selectors

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def measure(figures: Any, name: str) -> Any:
    """A cell's figure; unknown people figures show as a dash."""
    value = figures.get(name)
    return "—" if value is None else value


@register.inclusion_tag("activities/_where_organisation.html", takes_context=True)
def organisation_presence_panel(context: template.Context, organisation: Any) -> dict[str, Any]:
    user = context.get("user")
    return {
        "organisation": organisation,
        "presence": selectors.organisation_presence(user=user, organisation=organisation),
    }


@register.inclusion_tag("activities/_where_group.html", takes_context=True)
def group_presence_panel(context: template.Context, group: Any) -> dict[str, Any]:
    user = context.get("user")
    return {"group": group, "presence": selectors.group_presence(user=user, group=group)}

"""Template helpers for the activity pages, and the "where we work" panels that the
organisation and group pages include."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


@register.simple_tag
def coverage_cells(cells: list[Any], name: str) -> SafeString:
    """One row's cells of the coverage matrix, built in Python: a matrix of 400 areas by 17
    sectors is 6,800 cells, too many to render one template node at a time."""
    gap = format_html(
        '<td class="num gap"><span class="visually-hidden">{}</span><span aria-hidden="true">·</span></td>',
        gettext("gap"),
    )
    parts: list[str] = []
    for cell in cells:
        if cell.is_gap:
            parts.append(gap)
        else:
            value = getattr(cell, name)
            # Counts are ints (nothing to escape); anything else goes through escape().
            shown = "—" if value is None else value if type(value) is int else escape(value)
            parts.append(f'<td class="num">{shown}</td>')
    return mark_safe("".join(parts))  # numbers, or text passed through escape()


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

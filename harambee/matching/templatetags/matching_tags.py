"""The matching outcomes panel on a group page, and the supply/demand bar charts."""

from __future__ import annotations

from typing import Any

from django import template

from harambee.matching import selectors, services

register = template.Library()


@register.inclusion_tag("matching/_outcomes.html", takes_context=True)
def matching_outcomes_panel(context: template.Context, group: Any) -> dict[str, Any]:
    user = context.get("user")
    matches, needs = selectors.group_matches(user=user, group=group)
    return {"group": group, "outcomes": services.outcomes(matches, needs)}


@register.inclusion_tag("matching/_bars.html")
def bar_chart(rows: list[dict[str, Any]], id: str, title: str) -> dict[str, Any]:
    return {"rows": rows, "id": id, "title": title, "height": max(34, 34 * len(rows))}

"""Printing import results the same way for every places command."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from harambee.places.importers import RowError

MAX_PRINTED = 100


def print_errors(
    out: OutputWrapper, errors: Sequence[RowError], *, unit: str, limit: int = MAX_PRINTED
) -> None:
    for error in errors[:limit]:
        out.write(f"  {unit} {error.row}, {error.column}: {error.message}")
    if len(errors) > limit:
        out.write("  " + _("… and %(n)s more.") % {"n": len(errors) - limit})

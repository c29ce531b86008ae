"""Filters shared by every app's FilterSets."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

# The largest value a database id column holds (64-bit signed): a bigger number in a query
# string would crash the database driver instead of matching nothing.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A record id: a whole number from 1 to MAX_ID."""

    default_error_messages = {"invalid": _("Enter a record id (a whole number).")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """Filter by a record id. Out-of-range or non-numeric values are invalid (400 in the API,
    ignored with a message on pages), never passed to the database."""

    field_class = IdField

    def get_max_validator(self) -> None:
        return None  # IdField has its own bounds


class BoundedIntegerFilter(django_filters.NumberFilter):
    """A small whole number (an admin level, a count) within given bounds."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, min_value: int = 0, max_value: int = 2**31 - 1, **kwargs: Any):
        kwargs.setdefault("min_value", min_value)
        kwargs.setdefault("max_value", max_value)
        super().__init__(*args, **kwargs)

    def get_max_validator(self) -> None:
        return None

"""Choices shared across apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Network members only")
    ORGANISATION = "organisation", _("Own organisation")
    NAMED = "named", _("Named people")


class Role(models.TextChoices):
    """A user's role in a group. Order matters: later roles include earlier ones."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    COORDINATOR = "coordinator", _("Coordinator")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.COORDINATOR: 3}


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    MERGE = "merge", _("Merged")
    ERASE = "erase", _("Personal data erased")


class Permission(models.TextChoices):
    VIEW = "view", _("View")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")

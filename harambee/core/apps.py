from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "harambee.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .two_factor import install_admin_guard

        install_admin_guard()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yancheng.core.audit"
    label = "audit"
    verbose_name = _("审计留痕")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (registers the system checks)
        from .gate import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="yancheng.audit.gate")

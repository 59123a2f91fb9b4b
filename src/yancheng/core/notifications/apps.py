from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "yancheng.core.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from . import permissions, tasks  # noqa: F401 - permissions registers its rules

        tasks.register()

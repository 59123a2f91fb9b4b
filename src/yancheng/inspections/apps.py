from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "yancheng.inspections"
    label = "inspections"
    verbose_name = _("企业赋码保护")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules

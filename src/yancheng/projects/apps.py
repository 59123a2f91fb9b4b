from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "yancheng.projects"
    label = "projects"
    verbose_name = _("重大项目")

    def ready(self) -> None:
        from yancheng.cases.subjects import register_subjects
        from yancheng.core.demo import register_demo_loader

        from . import permissions  # noqa: F401 - registers the rules
        from .demo import load_project_demo
        from .selectors import project_subjects

        # After the cases loader (INSTALLED_APPS order): the seed case gets linked to its project.
        register_demo_loader("重大项目", load_project_demo)
        # The enterprise's report form offers its registered projects as 所涉项目.
        register_subjects("project", project_subjects)

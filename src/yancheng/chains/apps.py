from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "yancheng.chains"
    label = "chains"
    verbose_name = _("产业链")

    def ready(self) -> None:
        # Each page family registers its to-dos, jobs and attachments here (one line each).
        from . import (
            permissions,  # noqa: F401 - registers the rules
            todos_leader,
            todos_leads,
            todos_problems,
            todos_research,
            todos_targets,
        )

        todos_research.register()  # the research family's rules; 成果对接逾期, 匹配的科研成果
        todos_targets.register()  # 目标完成情况待报送
        todos_leads.register()  # 招商线索待跟进
        todos_problems.register()  # 红灯问题
        todos_leader.register()  # 链长: 红灯目标, 待跟进线索, 红灯项目, 待补环节, 待决策

        # The demo: after the safety demo (INSTALLED_APPS order), on the city, its projects and cases.
        from yancheng.core.demo import register_demo_loader

        from .demo import load_chains_demo

        register_demo_loader("产业链", load_chains_demo)

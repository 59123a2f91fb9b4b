"""The audit trail's codes in words: an action code ("auth.login", "project.create") as a
verb people read, an object type ("core.user") as the name of the thing. The code itself
stays what is stored, filtered on and exported; the pages show the words and keep the code
at hand (a title attribute)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Whole codes that read as one word.
ACTIONS: dict[str, Any] = {
    "auth.login": gettext_lazy("登录"),
    "auth.login_failed": gettext_lazy("登录失败"),
    "auth.logout": gettext_lazy("退出登录"),
    "auth.lockout": gettext_lazy("账号锁定"),
    "auth.second_factor": gettext_lazy("二次验证"),
    "auth.second_factor_failed": gettext_lazy("二次验证失败"),
    "auth.session_expired": gettext_lazy("会话过期"),
    "auth.ip_throttled": gettext_lazy("登录限流"),
    "auth.ip_budget_exceeded": gettext_lazy("登录限流"),
    "audit.query": gettext_lazy("查询审计留痕"),
    "audit.export": gettext_lazy("导出审计留痕"),
    "audit.verify": gettext_lazy("校验审计留痕"),
    "audit.view_trail": gettext_lazy("查看审计留痕"),
    "audit.archive": gettext_lazy("归档审计留痕"),
    "audit.checkpoint": gettext_lazy("审计检查点"),
    "case.denied": gettext_lazy("拒绝操作"),
    "case.link_project": gettext_lazy("关联项目"),
}

# What the first part of a code names (also the object types that are not model labels).
NOUNS: dict[str, Any] = {
    "api_token": gettext_lazy("API 令牌"),
    "attachment": gettext_lazy("附件"),
    "backup": gettext_lazy("备份"),
    "cap_rule": gettext_lazy("检查频次上限"),
    "case": gettext_lazy("事项"),
    "dashboard": gettext_lazy("挂图作战"),
    "enterprise": gettext_lazy("企业"),
    "exemption_reason": gettext_lazy("免检事由"),
    "field_keys": gettext_lazy("字段密钥"),
    "holiday_year": gettext_lazy("工作日历"),
    "inspection": gettext_lazy("涉企检查"),
    "inspection_alert": gettext_lazy("预警"),
    "inspection_item": gettext_lazy("检查事项"),
    "inspection_plan": gettext_lazy("检查计划"),
    "inspection_policy": gettext_lazy("检查规则"),
    "inspection_rating": gettext_lazy("企业评价"),
    "inspection_report": gettext_lazy("检查报告"),
    "inspection_supervision": gettext_lazy("涉企检查监督"),
    "inspector_licence": gettext_lazy("执法证件"),
    "joint_proposal": gettext_lazy("联合检查"),
    "meeting": gettext_lazy("周调度"),
    "notification": gettext_lazy("通知"),
    "organisation": gettext_lazy("组织机构"),
    "plan_entry": gettext_lazy("检查计划"),
    "plan_slot": gettext_lazy("检查计划"),
    "project": gettext_lazy("项目"),
    "quiet_period": gettext_lazy("无事不扰期"),
    "region": gettext_lazy("行政区划"),
    "supervision_code": gettext_lazy("监督码"),
    "user": gettext_lazy("账号"),
}

# What the rest of a code does.
VERBS: dict[str, Any] = {
    "create": gettext_lazy("新建"),
    "add": gettext_lazy("添加"),
    "update": gettext_lazy("修改"),
    "edit": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
    "remove": gettext_lazy("移除"),
    "export": gettext_lazy("导出"),
    "download": gettext_lazy("下载"),
    "issue": gettext_lazy("发放"),
    "revoke": gettext_lazy("撤销"),
    "publish": gettext_lazy("发布"),
    "withdraw": gettext_lazy("撤回"),
    "close": gettext_lazy("关闭"),
    "answer": gettext_lazy("答复"),
    "unlock": gettext_lazy("解锁"),
    "set_password": gettext_lazy("设置密码"),
    "set_role": gettext_lazy("设置角色"),
    "set_active": gettext_lazy("启用或停用"),
    "end_sessions": gettext_lazy("结束会话"),
    "phone_reveal": gettext_lazy("查看手机号"),
    "restore": gettext_lazy("恢复"),
}


def register_verbs(verbs: Mapping[str, Any]) -> None:
    """An app above core names its own steps here (the case engine its events, at its
    ``ready()``), so the trail reads them in the words of the app's pages; core's own verbs
    stay as they are."""
    for code, label in verbs.items():
        VERBS.setdefault(code, label)


def action_label(code: str) -> str:
    """"auth.login" → 登录; "project.create" → 项目 · 新建; an unknown code stays itself."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    prefix, _dot, rest = code.partition(".")
    noun, verb = NOUNS.get(prefix), VERBS.get(rest)
    if verb is None:
        return code
    if noun is None:
        return str(verb)
    return _("%(object)s · %(verb)s") % {"object": noun, "verb": verb}


def object_label(object_type: str) -> str:
    """"core.user" → the model's name (用户); "project" → 项目; an unknown type stays itself."""
    if object_type in NOUNS:
        return str(NOUNS[object_type])
    if object_type.count(".") == 1:
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            return object_type
        return str(model._meta.verbose_name)
    return object_type

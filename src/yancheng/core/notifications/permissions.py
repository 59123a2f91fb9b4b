"""Who may do what with notifications. Everyone reads only their own inbox (a queryset
filter, `Notification.objects.visible_to`); the delivery status page and the group robots
are system configuration: the 系统管理员's."""

from __future__ import annotations

import rules

from yancheng.core.permissions import is_system_admin

# The status of every delivery (targets masked) and "retry now".
rules.add_perm("notifications.view_deliveries", is_system_admin)
rules.add_perm("notifications.retry_delivery", is_system_admin)
# Group robots of an organisation (object: the Organisation, or None for the list).
# There is no "organisation administrator" role yet (SPEC §1); when one is added, OR its
# predicate (restricted to the user's own organisation) in here.
rules.add_perm("notifications.manage_channels", is_system_admin)

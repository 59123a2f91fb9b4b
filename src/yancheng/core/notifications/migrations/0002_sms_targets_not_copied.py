"""SMS deliveries no longer copy the recipient's phone (SPEC §12: it stays encrypted on the
user and is read at sending time): blank the copies already stored.

One-way: the numbers are not lost (each is the recipient's phone, now encrypted in
core_user), so going back leaves the targets blank.
"""

from typing import Any

from django.db import migrations


def blank_sms_targets(apps: Any, schema_editor: Any) -> None:
    Delivery = apps.get_model("notifications", "Delivery")
    Delivery.objects.filter(channel="sms").exclude(target="").update(target="")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications_initial"), ("core", "0005_encrypt_existing_phones")]

    operations = [migrations.RunPython(blank_sms_targets, migrations.RunPython.noop, elidable=False)]

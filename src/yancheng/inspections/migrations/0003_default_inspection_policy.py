"""The city's inspection policy row with its defaults, so that reading the policy
(`InspectionPolicy.current()`) never has to write one."""

from django.db import migrations


def create_default_policy(apps, schema_editor):
    InspectionPolicy = apps.get_model("inspections", "InspectionPolicy")
    if not InspectionPolicy.objects.exists():
        InspectionPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_pending_rating_daily_batch"),
    ]

    operations = [
        migrations.RunPython(create_default_policy, migrations.RunPython.noop),
    ]

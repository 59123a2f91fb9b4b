from django.db import migrations

# SPEC §2.3: project problems 1 working day to accept, 5 to solve, 2 when urgent.
DEFAULTS = {
    "normal": {"accept_working_days": 1, "solve_working_days": 5},
    "urgent": {"accept_working_days": 1, "solve_working_days": 2},
}
KINDS = ["project_problem", "enterprise_request", "inspection_complaint", "hazard", "petition", "meeting_task"]


def create_defaults(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for kind in KINDS:
        for urgency, days in DEFAULTS.items():
            SlaPolicy.objects.get_or_create(kind=kind, urgency=urgency, defaults=days)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_case_engine")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

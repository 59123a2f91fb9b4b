from django.db import migrations

# A chain-level problem (产业链问题) is worked like a project problem (SPEC §2.3): 1 working day to
# accept, 5 to solve, 2 when urgent — editable afterwards like every kind's policy.
DEFAULTS = {
    "normal": {"accept_working_days": 1, "solve_working_days": 5},
    "urgent": {"accept_working_days": 1, "solve_working_days": 2},
}


def create_chain_problem_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for urgency, days in DEFAULTS.items():
        SlaPolicy.objects.get_or_create(kind="chain_problem", urgency=urgency, defaults=days)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_kind_chain_problem")]
    operations = [migrations.RunPython(create_chain_problem_policies, migrations.RunPython.noop)]

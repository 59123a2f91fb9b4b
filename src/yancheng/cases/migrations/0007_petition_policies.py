from django.db import migrations

# 《信访工作条例》(2022): the petition clocks count natural days (SPEC §8). 第二十三条: the
# organ says within 15日 whether it accepts; an objection within 5个工作日. 第三十四条: 60日
# from 受理, extendable by at most 30日 with the organ head's approval. 第三十五、三十六条:
# 复查/复核 decided within 30日, extendable by 30.
PETITION = {
    "accept_working_days": 15,
    "solve_working_days": 60,
    "objection_working_days": 5,
    "day_unit": "natural",
    "roll_to_working_day": True,
    "solve_from_acceptance": True,
    "extension_approver": "lead_head",
    "max_extension_days": 30,
}
REVIEW = {
    "accept_working_days": 15,
    "solve_working_days": 30,
    "objection_working_days": 5,
    "day_unit": "natural",
    "roll_to_working_day": True,
    "solve_from_acceptance": False,
    "extension_approver": "lead_head",
    "max_extension_days": 30,
}


def set_petition_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for kind, values in (("petition", PETITION), ("petition_review", REVIEW)):
        for urgency in ("normal", "urgent"):
            SlaPolicy.objects.update_or_create(kind=kind, urgency=urgency, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_petition_clocks")]
    operations = [migrations.RunPython(set_petition_policies, migrations.RunPython.noop)]

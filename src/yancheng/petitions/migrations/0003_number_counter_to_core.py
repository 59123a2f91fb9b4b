"""The counters move to core (``core.NumberCounter``, shared by every module): copy the rows
there, then drop the petitions' table. Reversing copies them back."""

from django.db import migrations


def to_core(apps, schema_editor):
    old = apps.get_model("petitions", "NumberCounter")
    new = apps.get_model("core", "NumberCounter")
    for row in old.objects.all():
        new.objects.update_or_create(series=row.series, year=row.year, defaults={"last": row.last})


def to_petitions(apps, schema_editor):
    old = apps.get_model("petitions", "NumberCounter")
    new = apps.get_model("core", "NumberCounter")
    for row in new.objects.filter(series__regex=r"^(petition|doc:)"):
        old.objects.update_or_create(series=row.series, year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_number_counter"),
        ("petitions", "0002_topics"),
    ]

    operations = [
        migrations.RunPython(to_core, to_petitions),
        migrations.DeleteModel(name="NumberCounter"),
    ]

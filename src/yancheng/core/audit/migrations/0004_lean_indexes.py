"""Only the indexes the audit trail's queries use (issue 6): every audited write maintains
them. unique=True and db_index=True on a CharField also build a LIKE-pattern index on
PostgreSQL, which nothing reads (about 1 GB for the two hashes at 5 million records);
the actor and object_type indexes were covered by the composite ones; hash loses its
index (UNIQUE(prev_hash) is what keeps the chain from forking, and nothing reads by hash
but a rare diagnosis in verify).

SQLite rebuilds the table to drop a column's UNIQUE, and the rebuild loses its triggers:
the append-only triggers of 0003 are put back afterwards.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


_triggers = importlib.import_module(
    "yancheng.core.audit.migrations.0003_archive_gate_and_append_only_triggers"
)


def _reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _triggers.SQLITE_BACKWARD + _triggers.SQLITE_FORWARD:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_archive_gate_and_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # (reversed last: after the reverse's own table rebuilds)
        migrations.RunPython(migrations.RunPython.noop, _reinstall_sqlite_triggers),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=64, verbose_name="动作"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="object_type",
            field=models.CharField(blank=True, max_length=64, verbose_name="对象类型"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action"], name="audit_event_action_idx"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("prev_hash",), name="audit_event_prev_hash_unique"),
        ),
        migrations.RunPython(_reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]

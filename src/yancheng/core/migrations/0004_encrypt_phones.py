"""Phones of users and enterprise contacts become encrypted columns with a blind index
(SPEC §12); 0005 encrypts the rows already there."""

import yancheng.core.crypto.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_unit_partial_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='enterprisecontact',
            name='phone_digest',
            field=yancheng.core.crypto.fields.BlindIndexField(source='phone'),
        ),
        migrations.AddField(
            model_name='user',
            name='phone_digest',
            field=yancheng.core.crypto.fields.BlindIndexField(source='phone'),
        ),
        migrations.AlterField(
            model_name='enterprisecontact',
            name='phone',
            field=yancheng.core.crypto.fields.EncryptedTextField(blank=True, context='core.enterprisecontact.phone', default='', kind='phone', verbose_name='电话'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=yancheng.core.crypto.fields.EncryptedTextField(blank=True, context='core.user.phone', default='', kind='phone', verbose_name='手机号'),
        ),
    ]

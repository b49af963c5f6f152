# A third language of the interface (settings.LANGUAGES): 繁體中文.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0020_party_messages'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='language',
            field=models.CharField(choices=[('zh-hans', '简体中文'), ('zh-hant', '繁體中文'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language of messages'),
        ),
    ]

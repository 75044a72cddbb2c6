from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_session_generation'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='language',
            field=models.CharField(blank=True, default='', help_text="The language of the site's pages and emails for this person.", max_length=16, verbose_name='language'),
        ),
    ]

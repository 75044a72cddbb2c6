"""The permissions of each account, and no token kept unless the site asks for it.

Before this migration every account kept its login's access token. A site now keeps one
only with FACEBOOK_STORE_ACCESS_TOKEN = True; without it, the tokens kept so far are erased.
"""

from django.conf import settings
from django.db import migrations, models


def erase_tokens_not_kept(apps, schema_editor):
    if getattr(settings, "FACEBOOK_STORE_ACCESS_TOKEN", False):
        return
    accounts = apps.get_model("django_facebook", "FacebookAccount")
    accounts.objects.exclude(access_token="").update(access_token="", token_expires_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("django_facebook", "0002_app_nonce"),
    ]

    operations = [
        migrations.AddField(
            model_name="facebookaccount",
            name="scopes",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="facebookaccount",
            name="declined_scopes",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(erase_tokens_not_kept, migrations.RunPython.noop, elidable=True),
    ]

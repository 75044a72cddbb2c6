from django.contrib import admin
from django.db import models

from .models import FacebookAccount


@admin.register(FacebookAccount)
class FacebookAccountAdmin(admin.ModelAdmin):
    """Shows the link, never the token: the token field is not editable and not listed."""

    list_display = ["facebook_id", "name", "user", "email", "created_at", "updated_at"]
    search_fields = ["facebook_id", "name", "email", "user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["facebook_id", "token_expires_at", "created_at", "updated_at"]
    raw_id_fields = ["user"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import DataDeletionRequest, FacebookAccount


@admin.register(FacebookAccount)
class FacebookAccountAdmin(admin.ModelAdmin):
    """Shows the link, never the token: the token field is not editable and not listed."""

    list_display = ["facebook_id", "name", "user", "email", "deauthorized_at", "updated_at"]
    search_fields = ["facebook_id", "name", "email", "user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = [
        "facebook_id",
        "token_expires_at",
        "deauthorized_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["user"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(DataDeletionRequest)
class DataDeletionRequestAdmin(admin.ModelAdmin):
    """Deletion requests from Facebook, read-only: they are the record of what was done."""

    list_display = ["confirmation_code", "created_at", "accounts_deleted"]
    readonly_fields = ["confirmation_code", "created_at", "accounts_deleted", "issued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: DataDeletionRequest | None = None
    ) -> bool:
        return False

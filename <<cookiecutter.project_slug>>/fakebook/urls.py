"""The stand-in's URLs, mounted by the site at `fakebook/`.

`www/` plays www.facebook.com and `graph/` plays graph.facebook.com, so the site's settings
point FACEBOOK_WWW_URL at `<host>/fakebook/www` and FACEBOOK_GRAPH_URL at
`<host>/fakebook/graph`. `limited/` plays limited.facebook.com (Limited Login's JWKS) and
`sdk/` what Facebook's SDKs give an app (sdk.py). A version segment must look like `v25.0`;
any other path gets Facebook's JSON 404.
"""

from django.urls import path, register_converter

from . import app_settings, dialog, sdk, views


class GraphVersionConverter:
    """A Graph API version segment: v<major>.<minor>."""

    regex = r"v\d+\.\d+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(GraphVersionConverter, "fbversion")

app_name = "fakebook"

urlpatterns = [
    path("www/<fbversion:version>/dialog/oauth", dialog.dialog, name="dialog"),
    path("www/settings/apps/", app_settings.app_settings, name="app_settings"),
    path("graph/<fbversion:version>/oauth/access_token", views.access_token, name="access_token"),
    path("graph/<fbversion:version>/me", views.me, name="me"),
    path("graph/<fbversion:version>/debug_token", views.debug_token, name="debug_token"),
    path("graph/<fbversion:version>/<str:user_id>/picture", views.picture, name="picture"),
    path(
        "graph/<fbversion:version>/<str:user_id>/permissions",
        views.permissions,
        name="permissions",
    ),
    path("graph/<fbversion:version>/<str:user_id>/friends", views.friends, name="friends"),
    path("graph/<fbversion:version>/<str:node_id>", views.node, name="node"),
    path("avatars/<str:user_id>.svg", views.avatar, name="avatar"),
    path("limited/.well-known/oauth/openid/jwks/", sdk.jwks, name="jwks"),
    path("sdk/access-token", sdk.access_token, name="sdk_access_token"),
    path("sdk/id-token", sdk.id_token, name="sdk_id_token"),
    path("sdk/rotate-key", sdk.rotate_key, name="sdk_rotate_key"),
    path("<path:path>", views.unknown_path, name="unknown"),
]

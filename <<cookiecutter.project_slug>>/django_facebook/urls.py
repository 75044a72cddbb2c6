from django.urls import path, re_path

from . import app_views, callbacks, views

app_name = "facebook"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("register/", views.complete_registration, name="complete_registration"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("app/nonce/", app_views.app_nonce, name="app_nonce"),
    path("app/login/", app_views.app_login, name="app_login"),
    path("app/register/", app_views.app_complete_registration, name="app_complete_registration"),
    path("app/logout/", app_views.app_logout, name="app_logout"),
    path("deauthorize/", callbacks.deauthorize, name="deauthorize"),
    path("data-deletion/", callbacks.data_deletion, name="data_deletion"),
    re_path(
        r"^data-deletion/(?P<confirmation_code>[0-9a-f]{32})/$",
        callbacks.data_deletion_status,
        name="data_deletion_status",
    ),
]

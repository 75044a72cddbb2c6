from django.urls import path, re_path

from . import callbacks, views

app_name = "facebook"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("register/", views.complete_registration, name="complete_registration"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("deauthorize/", callbacks.deauthorize, name="deauthorize"),
    path("data-deletion/", callbacks.data_deletion, name="data_deletion"),
    re_path(
        r"^data-deletion/(?P<confirmation_code>[0-9a-f]{32})/$",
        callbacks.data_deletion_status,
        name="data_deletion_status",
    ),
]

from django.urls import path

from . import views

app_name = "facebook"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("register/", views.complete_registration, name="complete_registration"),
    path("disconnect/", views.disconnect, name="disconnect"),
]

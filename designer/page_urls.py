from django.contrib.auth.views import LogoutView
from django.urls import path

from designer import pages

app_name = "pages"

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", pages.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="pages:login"), name="logout"),
    path("scripts/", pages.script_list, name="script-list"),
    path("scripts/<slug:slug>/edit/", pages.editor, name="editor"),
]

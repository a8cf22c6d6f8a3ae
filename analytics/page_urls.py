from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.script_list, name="script-list"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
]

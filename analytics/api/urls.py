from django.urls import path

from analytics.api import views

app_name = "analytics-api"

urlpatterns = [
    path("funnel/", views.FunnelView.as_view(), name="funnel"),
    path("nodes/", views.NodesView.as_view(), name="nodes"),
    path("comparisons/", views.ComparisonsView.as_view(), name="comparisons"),
    path("trends/", views.TrendsView.as_view(), name="trends"),
    path("amd/", views.AmdView.as_view(), name="amd"),
    path("economics/", views.EconomicsView.as_view(), name="economics"),
]

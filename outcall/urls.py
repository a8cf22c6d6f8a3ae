from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/analytics/", include("analytics.api.urls")),
    path("analytics/", include("analytics.page_urls")),
    path("api/live/", include("runtime.api.urls")),
    path("api/", include("designer.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema")),
    path("api/", include("designer.api.fallback")),  # JSON 404s; keep last of api/
    path("", include("designer.page_urls")),
]

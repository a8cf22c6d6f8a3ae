from django.urls import path

from designer.api import audio_views, editor_views, views

app_name = "designer-api"

urlpatterns = [
    path("scripts/", views.ScriptListView.as_view(), name="script-list"),
    path("intents/", editor_views.BuiltinIntentsView.as_view(), name="builtin-intents"),
    # Before the slug routes; "import" is a reserved slug.
    path("scripts/import/", views.ImportView.as_view(), name="script-import"),
    path(
        "scripts/<slug:slug>/", views.ScriptDetailView.as_view(), name="script-detail"
    ),
    path("scripts/<slug:slug>/draft/", views.DraftView.as_view(), name="draft"),
    path(
        "scripts/<slug:slug>/draft/export/",
        views.DraftExportView.as_view(),
        name="draft-export",
    ),
    path(
        "scripts/<slug:slug>/validate/", views.ValidateView.as_view(), name="validate"
    ),
    path(
        "scripts/<slug:slug>/preview/",
        editor_views.PreviewView.as_view(),
        name="preview",
    ),
    path("scripts/<slug:slug>/diff/", editor_views.DiffView.as_view(), name="diff"),
    path("scripts/<slug:slug>/publish/", views.PublishView.as_view(), name="publish"),
    path(
        "scripts/<slug:slug>/versions/",
        views.VersionListView.as_view(),
        name="version-list",
    ),
    path(
        "scripts/<slug:slug>/versions/<int:number>/",
        views.VersionDetailView.as_view(),
        name="version-detail",
    ),
    path(
        "scripts/<slug:slug>/versions/<int:number>/export/",
        views.VersionExportView.as_view(),
        name="version-export",
    ),
    path(
        "scripts/<slug:slug>/audio/",
        audio_views.AudioListView.as_view(),
        name="audio-list",
    ),
    path(
        "scripts/<slug:slug>/audio/<str:sha256>/",
        audio_views.AudioDetailView.as_view(),
        name="audio-detail",
    ),
    path(
        "scripts/<slug:slug>/audio/<str:sha256>/file/",
        audio_views.AudioFileView.as_view(),
        name="audio-file",
    ),
    path(
        "scripts/<slug:slug>/audio/<str:sha256>/original/",
        audio_views.AudioOriginalView.as_view(),
        name="audio-original",
    ),
]

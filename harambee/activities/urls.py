from django.urls import include, path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="activity-list"),
    path("new/", views.activity_create, name="activity-create"),
    path("<int:pk>/", views.activity_detail, name="activity-detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("<int:pk>/delete/", views.activity_delete, name="activity-delete"),
    path("map/", views.activity_map, name="activity-map"),
    path("map/area/", views.activity_map_area, name="activity-map-area"),
    path(
        "map/shapes/<str:iso3>/<int:level>.geojson",
        views.activity_map_shapes,
        name="activity-map-shapes",
    ),
    path("coverage/", views.coverage_matrix, name="coverage"),
    path("export/", views.export, name="export"),
    path("imports/", include("harambee.activities.import_urls")),
]

"""Import pages. Included by activities/urls.py under imports/, inside the "activities" namespace."""

from django.urls import path

from . import import_views as views

urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("new/", views.import_new, name="import-new"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("<int:pk>/mapping/", views.import_mapping, name="import-mapping"),
    path("<int:pk>/decide/", views.import_decide, name="import-decide"),
    path("<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("<int:pk>/cancel/", views.import_cancel, name="import-cancel"),
]

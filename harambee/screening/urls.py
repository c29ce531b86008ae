from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("", views.index, name="index"),
    path("lists/", views.list_versions, name="list-versions"),
    path("lists/load/", views.list_load, name="list-load"),
    path("lists/<int:pk>/", views.list_version_detail, name="list-version"),
    path("batches/", views.batch_list, name="batch-list"),
    path("batches/new/", views.batch_new, name="batch-new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/csv/", views.batch_csv, name="batch-csv"),
    path("decide/", views.decide, name="decide"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/export.<str:fmt>", views.decision_export, name="decision-export"),
    path("alerts/", views.alert_inbox, name="alert-inbox"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile-edit"),
    path("profile/documents/", views.document_add, name="document-add"),
    path("profile/documents/<int:pk>/", views.document_download, name="document-download"),
    path("profile/documents/<int:pk>/remove/", views.document_remove, name="document-remove"),
    path("profile/focal-points/", views.focal_point_add, name="focal-point-add"),
    path(
        "profile/focal-points/<int:pk>/remove/",
        views.focal_point_remove,
        name="focal-point-remove",
    ),
    path("keys/<int:pk>/", views.public_key, name="public-key"),
    path("payees/", views.payee_list, name="payee-list"),
    path("payees/<int:pk>/remove/", views.payee_delete, name="payee-remove"),
    path("packages/", views.package_list, name="package-list"),
    path("packages/new/", views.package_new, name="package-new"),
    path("packages/verify/", views.verify_upload, name="package-verify-upload"),
    path("packages/<int:pk>/", views.package_detail, name="package-detail"),
    path("packages/<int:pk>/share/", views.package_share, name="package-share"),
    path("packages/<int:pk>/download/", views.package_download, name="package-download"),
    path("packages/<int:pk>/verify/", views.package_verify, name="package-verify"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("find/", views.FindView.as_view(), name="privacy-find"),
    path("export/", views.ExportView.as_view(), name="privacy-export"),
    path("records/<str:label>/<str:pk>/", views.RecordView.as_view(), name="privacy-record"),
    path("records/<str:label>/<str:pk>/erase/", views.EraseView.as_view(), name="privacy-erase"),
    path("access-log/", views.AccessLogView.as_view(), name="privacy-access-log"),
]

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("records/<str:label>/<str:pk>/", views.record, name="record"),
    path("records/<str:label>/<str:pk>/erase/", views.erase, name="erase"),
    path("access-log/", views.access_log, name="access-log"),
]

from django.urls import path, re_path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.country_list, name="country-list"),
    path("emergencies/", views.emergency_list, name="emergency-list"),
    path("emergencies/new/", views.emergency_create_view, name="emergency-create"),
    path("emergencies/<int:pk>/", views.emergency_detail, name="emergency-detail"),
    path("emergencies/<int:pk>/edit/", views.emergency_edit_view, name="emergency-edit"),
    path("emergencies/<int:pk>/delete/", views.emergency_delete_view, name="emergency-delete"),
    path("areas/<str:pcode>/", views.area_detail, name="area-detail"),
    re_path(r"^(?P<iso3>[A-Za-z]{3})/$", views.country_detail, name="country-detail"),
]

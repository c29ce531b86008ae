from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.country_list, name="country-list"),
]

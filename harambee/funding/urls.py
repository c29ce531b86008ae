from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("", views.money_home, name="home"),
    path("country/<str:iso3>/", views.country_money, name="country"),
    path("country/<str:iso3>/export/", views.country_export, name="country-export"),
    path("transparency/", views.transparency, name="transparency"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("pooled-funds/", views.pooled_fund_list, name="pooled-fund-list"),
    path("pooled-funds/<int:pk>/", views.pooled_fund_detail, name="pooled-fund-detail"),
    path("flows/", views.flow_list, name="flow-list"),
    path("flows/export/", views.flow_export, name="flow-export"),
    path("flows/<int:pk>/", views.flow_detail, name="flow-detail"),
]

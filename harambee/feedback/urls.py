from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.item_list, name="item-list"),
    path("give/", views.submit_choose, name="submit-choose"),
    path("give/<int:group_pk>/", views.submit, name="submit"),
    path("give/thanks/", views.submitted, name="submitted"),
    path("groups/<int:group_pk>/new/", views.item_create, name="item-create"),
    path("groups/<int:group_pk>/dashboard/", views.dashboard, name="dashboard"),
    path("groups/<int:group_pk>/import/", views.import_view, name="import"),
    path("groups/<int:group_pk>/psea/", views.psea_coordinators, name="psea-coordinators"),
    path("public/<int:group_pk>/", views.public_dashboard, name="public-dashboard"),
    path("<int:pk>/", views.item_detail, name="item-detail"),
    path("<int:pk>/acknowledge/", views.item_acknowledge, name="item-acknowledge"),
    path("<int:pk>/action/", views.item_action, name="item-action"),
    path("<int:pk>/refer/", views.item_refer, name="item-refer"),
    path("<int:pk>/answer/", views.item_answer, name="item-answer"),
    path("<int:pk>/close/", views.item_close, name="item-close"),
    path("<int:pk>/recode/", views.item_recode, name="item-recode"),
    path("inbox/", views.inbox, name="inbox"),
    path("intake/", views.raw_list, name="raw-list"),
    path("intake/<int:pk>/", views.raw_detail, name="raw-detail"),
    path("keys/", views.tokens, name="tokens"),
    path("focal-points/", views.focal_points, name="focal-points"),
    path("service-levels/", views.service_levels, name="service-levels"),
    path("service-levels/new/", views.service_level_create, name="service-level-create"),
    path("service-levels/<int:pk>/edit/", views.service_level_edit, name="service-level-edit"),
    path(
        "service-levels/<int:pk>/delete/", views.service_level_delete, name="service-level-delete"
    ),
]

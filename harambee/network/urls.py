from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation-delete"),
    path("organisations/<int:pk>/merge/", views.organisation_merge, name="organisation-merge"),
    path(
        "organisations/<int:pk>/history/", views.organisation_history, name="organisation-history"
    ),
    path("organisations/<int:pk>/people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person-delete"),
    path("groups/", views.group_list, name="group-list"),
    path("groups/new/", views.group_create, name="group-create"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group-delete"),
    path("groups/<int:pk>/history/", views.group_history, name="group-history"),
    path("groups/<int:pk>/members/new/", views.membership_create, name="membership-create"),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership-edit"),
    path("memberships/<int:pk>/delete/", views.membership_delete, name="membership-delete"),
    path("memberships/<int:pk>/confirm/", views.membership_confirm, name="membership-confirm"),
    path("memberships/<int:pk>/decline/", views.membership_decline, name="membership-decline"),
    path("groups/<int:pk>/workplan/new/", views.workplan_create, name="workplan-create"),
    path("workplan/<int:pk>/edit/", views.workplan_edit, name="workplan-edit"),
    path("workplan/<int:pk>/delete/", views.workplan_delete, name="workplan-delete"),
    path("groups/<int:pk>/roles/", views.group_roles, name="group-roles"),
    path("roles/<int:pk>/delete/", views.group_role_delete, name="group-role-delete"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/delete/", views.request_delete, name="request-delete"),
    path("requests/<int:pk>/status/", views.request_status, name="request-status"),
    path("requests/<int:pk>/respond/", views.request_respond, name="request-respond"),
]

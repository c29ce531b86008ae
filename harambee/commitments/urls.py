from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("", views.commitment_list, name="commitment-list"),
    path("new/", views.commitment_create, name="commitment-create"),
    path("export/", views.commitment_export, name="commitment-export"),
    path("import/", views.commitment_import, name="commitment-import"),
    path("import/confirm/", views.commitment_import_confirm, name="commitment-import-confirm"),
    path("<int:pk>/", views.commitment_detail, name="commitment-detail"),
    path("<int:pk>/edit/", views.commitment_edit, name="commitment-edit"),
    path("<int:pk>/link/", views.commitment_link, name="commitment-link"),
    path("<int:pk>/flows/", views.commitment_flows, name="commitment-flows"),
    path("dashboard/group/<int:pk>/", views.dashboard_group, name="dashboard-group"),
    path("dashboard/group/<int:pk>/rules/", views.group_rules, name="group-rules"),
    path("dashboard/forum/<int:pk>/", views.dashboard_forum, name="dashboard-forum"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/new/", views.framework_create, name="framework-create"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<int:pk>/edit/", views.framework_edit, name="framework-edit"),
    path("frameworks/<int:pk>/outcomes/new/", views.outcome_create, name="outcome-create"),
    path("frameworks/<int:pk>/indicators/new/", views.indicator_create, name="indicator-create"),
    path("frameworks/<int:pk>/milestones/new/", views.milestone_create, name="milestone-create"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome-edit"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("frameworks/<int:pk>/timeline/", views.framework_timeline, name="framework-timeline"),
    path("frameworks/<int:pk>/iati.xml", views.framework_iati, name="framework-iati"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/<int:pk>/evidence/", views.report_evidence, name="report-evidence"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="report-action"),
]

from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.my_profile, name="my-profile"),
    path("me/export/", views.my_profile_export, name="my-profile-export"),
    path("me/delete/", views.my_profile_delete, name="my-profile-delete"),
    path("me/<slug:part>/", views.my_profile_part, name="my-profile-part"),
    path("people/<str:public_id>/", views.profile_detail, name="profile-detail"),
    path("people/<str:public_id>/edit/", views.profile_edit, name="profile-edit"),
    path("needs/", views.need_list, name="need-list"),
    path("needs/new/", views.need_create, name="need-create"),
    path("needs/<int:pk>/", views.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need-edit"),
    path("needs/<int:pk>/close/", views.need_close, name="need-close"),
    path("needs/<int:pk>/reopen/", views.need_reopen, name="need-reopen"),
    path("offers/", views.offer_list, name="offer-list"),
    path("offers/new/", views.offer_create, name="offer-create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer-edit"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer-withdraw"),
    path("offers/<int:pk>/reactivate/", views.offer_reactivate, name="offer-reactivate"),
    path("board/", views.board, name="board"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("matches/<int:pk>/", views.match_detail, name="match-detail"),
    path("matches/<int:pk>/<slug:action>/", views.match_action, name="match-action"),
    path("inbox/", views.inbox, name="inbox"),
    path("charts/", views.charts, name="charts"),
    path("occupations/", views.occupation_search, name="occupation-search"),
]

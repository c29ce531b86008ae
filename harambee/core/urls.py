from django.urls import path

from . import two_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.profile_token, name="profile-token"),
    path("profile/two-factor/", two_factor.two_factor, name="profile-two-factor"),
    path("login/", two_factor.TwoFactorLoginView.as_view(), name="login"),
    path("logout/", two_factor.LogoutView.as_view(), name="logout"),
]

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("harambee.core.urls")),
    path("places/", include("harambee.places.urls")),
    path("network/", include("harambee.network.urls")),
    path("activities/", include("harambee.activities.urls")),
    path("commitments/", include("harambee.commitments.urls")),
    path("feedback/", include("harambee.feedback.urls")),
    path("matching/", include("harambee.matching.urls")),
    path("money/", include("harambee.funding.urls")),
    path("privacy/", include("harambee.privacy.urls")),
    path("screening/", include("harambee.screening.urls")),
    path("api/", include("harambee.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin logs in through the site's log-in (password, then the two-factor code).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

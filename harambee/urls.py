from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("harambee.core.urls")),
    path("places/", include("harambee.places.urls")),
    path("network/", include("harambee.network.urls")),
    path("activities/", include("harambee.activities.urls")),
    path("commitments/", include("harambee.commitments.urls")),
    path("feedback/", include("harambee.feedback.urls")),
    path("matching/", include("harambee.matching.urls")),
    path("screening/", include("harambee.screening.urls")),
    path("api/", include("harambee.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

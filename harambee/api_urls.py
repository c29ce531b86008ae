"""One router for the whole API; each app registers its endpoints in its api/urls.py."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from harambee.activities.api.urls import register as register_activities
from harambee.commitments.api.urls import register as register_commitments
from harambee.feedback.api.urls import register as register_feedback
from harambee.feedback.api.urls import urlpatterns as feedback_urls
from harambee.funding.api.urls import register as register_funding
from harambee.matching.api.urls import register as register_matching
from harambee.network.api.urls import register as register_network
from harambee.places.api.urls import register as register_places
from harambee.screening.api.urls import register as register_screening
from harambee.screening.api.urls import urlpatterns as screening_urls

router = DefaultRouter()
# No ".json" suffix routes: the API speaks JSON only, and the extra actions did not accept the
# suffix (they answered 500; found by the URL-map permission test).
router.include_format_suffixes = False
register_places(router)
register_network(router)
register_activities(router)
register_funding(router)
register_commitments(router)
register_feedback(router)
register_matching(router)
register_screening(router)

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    *feedback_urls,
    *screening_urls,
    path("privacy/", include("harambee.privacy.api.urls")),
    *router.urls,
]

from rest_framework.routers import DefaultRouter

from .views import (
    AggregateFlowViewSet,
    ExchangeRateViewSet,
    FlowViewSet,
    PlanViewSet,
    PooledFundViewSet,
)


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("funding/flows", FlowViewSet, basename="funding-flow")
    router.register("funding/plans", PlanViewSet, basename="funding-plan")
    router.register("funding/pooled-funds", PooledFundViewSet, basename="funding-pooled-fund")
    router.register("funding/exchange-rates", ExchangeRateViewSet, basename="funding-exchange-rate")
    router.register(
        "funding/diaspora-flows", AggregateFlowViewSet, basename="funding-diaspora-flow"
    )

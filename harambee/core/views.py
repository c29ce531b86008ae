"""Home, global search, the user's profile."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harambee.network.models import Group, Organisation


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "organisation_count": Organisation.objects.restrict(request.user).count(),
        "group_count": Group.objects.restrict(request.user).count(),
    }
    return render(request, "core/home.html", context)


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    organisations = (
        Organisation.objects.restrict(request.user).filter(name__icontains=query)[:50]
        if query
        else []
    )
    return render(request, "core/search.html", {"query": query, "organisations": organisations})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "core/profile.html")

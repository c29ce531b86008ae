from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Group, Organisation, Request


def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "network/list.html", {"objects": Organisation.objects.restrict(request.user)}
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Organisation.objects.restrict(request.user), pk=pk)
    return render(request, "network/detail.html", {"object": obj})


def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/list.html", {"objects": Group.objects.restrict(request.user)})


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Group.objects.restrict(request.user), pk=pk)
    return render(request, "network/detail.html", {"object": obj})


def request_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/list.html", {"objects": Request.objects.restrict(request.user)})


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Request.objects.restrict(request.user), pk=pk)
    return render(request, "network/detail.html", {"object": obj})

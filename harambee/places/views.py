from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Country


def country_list(request: HttpRequest) -> HttpResponse:
    return render(request, "places/country_list.html", {"countries": Country.objects.all()})

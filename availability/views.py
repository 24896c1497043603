from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clubs.models import Club


@login_required
def home(request: HttpRequest) -> HttpResponse:
    clubs = Club.objects.select_related("monitoring").order_by("name")
    return render(request, "availability/home.html", {"clubs": clubs})

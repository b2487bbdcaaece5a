"""URLs of the county service."""

from django.urls import include, path

urlpatterns = [path("", include("docgen.service.web.urls"))]

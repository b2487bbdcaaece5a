"""URLs of the county service."""

from django.urls import include, path

urlpatterns = [path("", include("docgen.service.web.urls"))]
handler500 = "docgen.service.web.privacy.server_error"

"""Template context for every page: the signed-in user's unit (also on error pages that no view renders)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from docgen.service.county.door import actor_of


def unit(request: HttpRequest) -> dict:
    return {"unit": SimpleLazyObject(lambda: actor_of(request).unit)}

"""Codes shown as a clerk reads them."""

from __future__ import annotations

from django import template

from docgen.service.county.overview import CATEGORY_LABELS

register = template.Library()


@register.filter
def category(code: object) -> str:
    """A case's category as pages show it: the inventory's code with its name (B4-1 因病休学), or the name alone
    where the inventory has no code (送读工读学校)."""
    text = str(code or "")
    label = CATEGORY_LABELS.get(text, text)
    return f"{text} {label}" if text.startswith("B") and label != text else label

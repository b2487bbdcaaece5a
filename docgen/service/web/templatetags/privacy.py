"""Template filters for minors' data: ``masked`` shows text with any ID number typed into it masked."""

from django import template

from docgen.service.county.privacy import masked as masked_text

register = template.Library()


@register.filter
def masked(value: object) -> str:
    return "" if value is None else masked_text(str(value))

"""Codes shown as a clerk reads them."""

from __future__ import annotations

from django import template

from docgen.idcard import mask_id
from docgen.roster.entrants import entrant_of
from docgen.service.county.overview import CATEGORY_LABELS

register = template.Library()


@register.filter
def registered_for(case_id: object) -> str:
    """Whom a number of the register was given to, as a clerk reads it: the 案卷编号, or for a roster child's
    入学通知书 the child's school year and masked ID number (the register keeps no name for it)."""
    entrant = entrant_of(str(case_id or ""))
    if entrant is None:
        return str(case_id or "")
    year, id_number = entrant
    return f"适龄儿童（{year}—{year + 1} 学年），身份证号 {mask_id(id_number)}"


@register.filter
def category(code: object) -> str:
    """A case's category as pages show it: the inventory's code with its name (B4-1 因病休学), or the name alone
    where the inventory has no code (送读工读学校)."""
    text = str(code or "")
    label = CATEGORY_LABELS.get(text, text)
    return f"{text} {label}" if text.startswith("B") and label != text else label

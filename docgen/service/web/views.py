"""Views: who is asking (docgen.service.county.access), what to show (docgen.service.county.overview), render."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from docgen.cases.schema import case_field
from docgen.cases.steps import STEPS
from docgen.idcard import mask_id, mask_registry
from docgen.service.county.access import unit_of, visible_cases, visible_numbers
from docgen.service.county.models import Series
from docgen.service.county.overview import CATEGORY_LABELS, case_findings, overview
from docgen.service.county.register import DbAllocator

NOTICE_LABELS = case_field(["notices", "[]", "kind"]).labels


def _today() -> dt.date:
    return dt.date.today()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"unit": unit_of(request.user),
                                                  "o": overview(visible_cases(request.user), _today())})


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request.user)
    category, step, query = (request.GET.get(k, "").strip() for k in ("category", "step", "q"))
    if category:
        cases = cases.filter(category=category)
    if step:
        cases = cases.filter(step=step)
    if query:
        cases = cases.filter(Q(data__student__name__icontains=query) | Q(data__student__registry_no__icontains=query)
                             | Q(data__student__id_number__iendswith=query) | Q(case_id__icontains=query))
    ordered = cases.order_by("township", "school", "case_id")
    rows = [(c, mask_id(c.data["student"].get("id_number", ""))) for c in ordered]
    return render(request, "web/case_list.html", {
        "unit": unit_of(request.user), "rows": rows, "category": category, "step": step, "q": query,
        "categories": sorted(CATEGORY_LABELS.items()), "steps": list(STEPS.items()),
    })


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    findings, due = case_findings(record, _today())
    student = record.data["student"]
    return render(request, "web/case_detail.html", {
        "unit": unit_of(request.user), "c": record, "d": record.data,
        "masked_id": mask_id(student.get("id_number", "")),
        "masked_registry": mask_registry(student.get("registry_no", "")),
        "category": CATEGORY_LABELS.get(record.category, record.category), "step": STEPS.get(record.step, ""),
        "findings": findings, "due": due,
        "notices": [(NOTICE_LABELS.get(n.get("kind", ""), "通知书"), n) for n in record.data.get("notices", [])],
    })


@login_required
def numbers(request: HttpRequest) -> HttpResponse:
    unit = unit_of(request.user)
    rows = visible_numbers(request.user).order_by("issuer", "series", "year", "seq")
    gaps = DbAllocator(unit.county).gaps() if unit and unit.kind in ("bureau", "auditor") else []
    series = Series.objects.filter(county=unit.county).count() if unit else 0
    return render(request, "web/numbers.html", {"unit": unit, "rows": rows, "gaps": gaps, "series": series})

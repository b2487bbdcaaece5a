"""Views: who is asking (docgen.service.county.access), what to show (docgen.service.county.overview), render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from docgen.cases.steps import STEPS
from docgen.idcard import mask_id, mask_registry
from docgen.service.county import audit
from docgen.service.county.access import may_edit, unit_of, visible_cases
from docgen.service.county.evidence import CONTENT_TYPES
from docgen.service.county.filings import FILERS, file_report, filing_states, report_month
from docgen.service.county.history import case_changes
from docgen.service.county.jobs import audit_trend
from docgen.service.county.models import CaseRecord, IssuedDocument
from docgen.service.county.overview import CATEGORY_LABELS, case_findings, overview
from docgen.service.county.previews import preview_png
from docgen.service.county.store import stored_path
from docgen.service.web.edits import NOTICE_LABELS, issue_form
from docgen.service.web.forms import RevealForm

PAGE_SIZE = 50


def _today() -> dt.date:
    return dt.date.today()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    unit = unit_of(request.user)
    return render(request, "web/dashboard.html", {
        "unit": unit, "o": overview(visible_cases(request.user), _today()),
        "filings": filing_states(unit, _today()), "month": report_month(_today()),
        "may_file": unit is not None and unit.kind in FILERS, "trend": audit_trend(request.user)})


@login_required
@require_POST
def file_monthly(request: HttpRequest) -> HttpResponse:
    """A school or township records that it filed last month's report (signed and sealed) today."""
    unit = unit_of(request.user)
    if unit is None or unit.kind not in FILERS:
        raise Http404
    filing = file_report(request, unit, _today())
    month = f"{filing.month.year}年{filing.month.month}月"
    messages.success(request, f"已登记：{month}月报表于 {filing.filed_on:%Y-%m-%d} 报送。")
    return redirect("dashboard")


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
    page = Paginator(cases.order_by("township", "school", "case_id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, mask_id(c.data["student"].get("id_number", "")), CATEGORY_LABELS.get(c.category, ""))
            for c in page]
    keep = urlencode({k: v for k, v in (("category", category), ("step", step), ("q", query)) if v})
    return render(request, "web/case_list.html", {
        "unit": unit_of(request.user), "rows": rows, "page": page, "keep": keep, "category": category,
        "step": step, "q": query, "categories": sorted(CATEGORY_LABELS.items()), "steps": list(STEPS.items()),
    })


def _case_page(request: HttpRequest, record: CaseRecord, *, reveal: RevealForm, full_id: str = "") -> HttpResponse:
    findings, due = case_findings(record, _today())
    student = record.data["student"]
    return render(request, "web/case_detail.html", {
        "unit": unit_of(request.user), "c": record, "d": record.data,
        "masked_id": full_id or mask_id(student.get("id_number", "")), "revealed": bool(full_id),
        "masked_registry": mask_registry(student.get("registry_no", "")),
        "category": CATEGORY_LABELS.get(record.category, record.category), "step": STEPS.get(record.step, ""),
        "findings": findings, "due": due, "reveal": reveal, "may_edit": may_edit(request.user),
        "notices": [(NOTICE_LABELS.get(n.get("kind", ""), "通知书"), n) for n in record.data.get("notices", [])],
        "teaching": next((record.data[k] for k in ("home_teaching", "remote_teaching") if record.data.get(k)), None),
        "documents": IssuedDocument.objects.filter(county=record.county, case_id=record.case_id),
        "issue": issue_form(request, record), "history": case_changes(record),
    })


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    audit.log(request, audit.VIEW_CASE, case_id)
    return _case_page(request, record, reveal=RevealForm())


@login_required
@require_POST
def reveal_id(request: HttpRequest, case_id: str) -> HttpResponse:
    """The full ID number, once, after a reason — and the reveal goes into the audit log."""
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _case_page(request, record, reveal=form)
    audit.log(request, audit.REVEAL_ID, case_id, reason=form.cleaned_data["reason"])
    return _case_page(request, record, reveal=RevealForm(), full_id=record.data["student"].get("id_number", ""))


def _file_response(data: bytes, name: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream"))
    response["Content-Disposition"] = content_disposition_header(attachment, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stored_evidence(request: HttpRequest, case_id: str, evidence_id: str) -> dict:
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    item = next((e for e in record.data.get("evidence", []) if e.get("id") == evidence_id and e.get("sha256")), None)
    if item is None or not stored_path(item["sha256"]).is_file():
        raise Http404
    return item


@login_required
def evidence_file(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    """A stored evidence file, to the units that may see the case only; the download is logged."""
    item = _stored_evidence(request, case_id, evidence_id)
    audit.log(request, audit.DOWNLOAD, case_id, evidence=evidence_id, file=item["file"])
    return _file_response(stored_path(item["sha256"]).read_bytes(), item["file"], attachment=False)


@login_required
def evidence_preview(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    """A small picture of the evidence for the case page (a photo scaled down, a PDF's first page)."""
    item = _stored_evidence(request, case_id, evidence_id)
    data = preview_png(item["sha256"], Path(item["file"]).suffix.lower())
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def document_file(request: HttpRequest, case_id: str, pk: int) -> HttpResponse:
    """A document the service issued, to the units that may see its case; the download is logged."""
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    made = get_object_or_404(IssuedDocument, pk=pk, county=record.county, case_id=record.case_id)
    path = stored_path(made.sha256)
    if not path.is_file():
        raise Http404
    audit.log(request, audit.DOWNLOAD, case_id, template=made.template, doc_no=made.doc_no, file=made.file)
    return _file_response(path.read_bytes(), made.file, attachment=True)



"""Views: who is asking and what they may see (the door, docgen.service.county.door), what to show
(docgen.service.county.overview), render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from docgen.cases.steps import STEPS
from docgen.idcard import mask_id, mask_registry
from docgen.service.county import audit, door
from docgen.service.county.documents import case_offers
from docgen.service.county.door import actor_of
from docgen.service.county.evidence import CONTENT_TYPES, target_at
from docgen.service.county.filings import (
    FILERS,
    NotWithdrawable,
    file_report,
    filing_states,
    report_month,
    withdraw_filing,
)
from docgen.service.county.history import case_changes
from docgen.service.county.jobs import audit_trend, audits_of_scope
from docgen.service.county.models import CaseRecord, IssuedDocument
from docgen.service.county.overview import CATEGORY_LABELS, case_findings, overview
from docgen.service.county.previews import preview_png
from docgen.service.county.store import stored_path
from docgen.service.web.edits import NOTICE_LABELS
from docgen.service.web.forms import RevealForm
from docgen.service.web.privacy import allow_full_id

PAGE_SIZE = 50
QUERY = "case_query"  # the search words, kept in the session: never in a URL (nor in the access log)


def _today() -> dt.date:
    return dt.date.today()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    latest = audits_of_scope(actor).order_by("-created").first()
    return render(request, "web/dashboard.html", {
        "unit": actor.unit, "o": overview(door.cases(actor), _today(), latest),
        "filings": filing_states(actor.unit, _today()), "month": report_month(_today()),
        "may_file": actor.unit is not None and actor.unit.kind in FILERS, "trend": audit_trend(actor),
        "today": _today()})


@login_required
@require_POST
def file_monthly(request: HttpRequest) -> HttpResponse:
    """A school or township records that it filed last month's report (signed and sealed) today — or, the same
    day, takes that record back."""
    actor = actor_of(request)
    if request.POST.get("withdraw") == "1":
        try:
            month = withdraw_filing(actor, _today())
        except NotWithdrawable as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已撤回{month.year}年{month.month}月月报表的报送登记。")
        return redirect("dashboard")
    filing = file_report(actor, _today())
    month = f"{filing.month.year}年{filing.month.month}月"
    messages.success(request, f"已登记：{month}月报表于 {filing.filed_on:%Y-%m-%d} 报送（登记错了可以当天撤回）。")
    return redirect("dashboard")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The unit's cases, filtered and in pages. A search is posted (its words may be an ID number): kept in the
    session and shown again by the filter links, never put in a URL."""
    actor = actor_of(request)
    if request.method == "POST":
        request.session[QUERY] = request.POST.get("q", "").strip()[:40]
        keep = {k: request.POST.get(k, "") for k in ("category", "step") if request.POST.get(k)}
        return redirect(f"{request.path}?{urlencode({**keep, 'search': 1})}")
    cases = door.cases(actor)
    category, step = (request.GET.get(k, "").strip() for k in ("category", "step"))
    query = request.session.get(QUERY, "") if request.GET.get("search") else ""
    if category:
        cases = cases.filter(category=category)
    if step:
        cases = cases.filter(step=step)
    if query:
        cases = cases.filter(Q(data__student__name__icontains=query) | Q(registry_no__icontains=query)
                             | Q(id_number__iendswith=query) | Q(case_id__icontains=query))
    page = Paginator(cases.order_by("township", "school", "case_id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, mask_id(c.data["student"].get("id_number", "")), CATEGORY_LABELS.get(c.category, ""))
            for c in page]
    keep = urlencode({k: v for k, v in (("category", category), ("step", step), ("search", "1" if query else ""))
                      if v})
    return render(request, "web/case_list.html", {
        "unit": actor.unit, "rows": rows, "page": page, "keep": keep, "category": category,
        "step": step, "q": query, "categories": sorted(CATEGORY_LABELS.items()), "steps": list(STEPS.items()),
    })


def _case_page(request: HttpRequest, record: CaseRecord, *, reveal: RevealForm, full_id: str = "") -> HttpResponse:
    actor = actor_of(request)
    today = _today()
    findings, due = case_findings(record, today)
    student = record.data["student"]
    documents = list(IssuedDocument.objects.filter(county=record.county, case_id=record.case_id))
    made = {d.template: d for d in documents}  # a step owed whose document this service issued: said beside it
    return render(request, "web/case_detail.html", {
        "unit": actor.unit, "c": record, "d": record.data,
        "masked_id": full_id or mask_id(student.get("id_number", "")), "revealed": bool(full_id),
        "masked_registry": mask_registry(student.get("registry_no", "")),
        "category": CATEGORY_LABELS.get(record.category, record.category), "step": STEPS.get(record.step, ""),
        "findings": [(f, target_at(f.path)) for f in findings], "reveal": reveal, "may_edit": door.may_edit(actor),
        "due": [(a, a.overdue(today), made.get(a.template)) for a in due], "offers": case_offers(actor, record, today),
        "notices": [(NOTICE_LABELS.get(n.get("kind", ""), "通知书"), n) for n in record.data.get("notices", [])],
        "teaching": next((record.data[k] for k in ("home_teaching", "remote_teaching") if record.data.get(k)), None),
        "documents": documents,
        "history": case_changes(record),
    })


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = actor_of(request)
    record = door.case(actor, case_id)
    audit.log(actor, audit.VIEW_CASE, case_id)
    return _case_page(request, record, reveal=RevealForm())


@login_required
@require_POST
def reveal_id(request: HttpRequest, case_id: str) -> HttpResponse:
    """The full ID number, once, after a reason — and the reveal goes into the audit log."""
    actor = actor_of(request)
    record = door.case(actor, case_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _case_page(request, record, reveal=form)
    audit.log(actor, audit.REVEAL_ID, case_id, reason=form.cleaned_data["reason"])
    return allow_full_id(_case_page(request, record, reveal=RevealForm(),
                                    full_id=record.data["student"].get("id_number", "")))


def _nosniff(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(path: Path, name: str, *, attachment: bool) -> FileResponse:
    """The file streamed from disk (FileResponse closes it), never read whole into memory."""
    return _nosniff(FileResponse(open(path, "rb"), as_attachment=attachment, filename=name,
                                 content_type=CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")))


@login_required
def evidence_file(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    """A stored evidence file, to the units that may see the case only; the download is logged."""
    actor = actor_of(request)
    _record, item, path = door.evidence(actor, case_id, evidence_id)
    audit.log(actor, audit.DOWNLOAD, case_id, evidence=evidence_id, file=item["file"])
    return _file_response(path, Path(str(item["file"]).replace("\\", "/")).name, attachment=False)


@login_required
def evidence_preview(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    """The small picture of the evidence for the case page (made at upload, in a box; a placeholder until it is
    made or when it cannot be). Nothing is drawn here."""
    _record, item, _path = door.evidence(actor_of(request), case_id, evidence_id)
    data = preview_png(item["sha256"], Path(str(item["file"])).suffix.lower())
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def document_file(request: HttpRequest, case_id: str, pk: int) -> HttpResponse:
    """A document the service issued, to the units that may see its case; the download is logged."""
    actor = actor_of(request)
    record = door.case(actor, case_id)
    made = IssuedDocument.objects.filter(pk=pk, county=record.county, case_id=record.case_id).first()
    if made is None or not stored_path(made.sha256).is_file():
        raise Http404
    audit.log(actor, audit.DOWNLOAD, case_id, template=made.template, doc_no=made.doc_no, file=made.file)
    return _file_response(stored_path(made.sha256), made.file, attachment=True)

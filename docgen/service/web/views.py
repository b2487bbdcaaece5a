"""Views: who is asking (docgen.service.county.access), what to show (docgen.service.county.overview), render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from docgen.cases.schema import case_field
from docgen.cases.steps import STEPS
from docgen.errors import DataProblemsError
from docgen.idcard import mask_id, mask_registry
from docgen.service.county import audit
from docgen.service.county.access import may_edit, unit_of, visible_cases, visible_numbers
from docgen.service.county.changes import add_record, update_record
from docgen.service.county.evidence import CONTENT_TYPES, UploadError, add_evidence, stored_path
from docgen.service.county.models import AuditEvent, CaseRecord, Series, Unit
from docgen.service.county.overview import CATEGORY_LABELS, case_findings, overview
from docgen.service.county.register import DbAllocator
from docgen.service.web.forms import EvidenceForm, PersuasionForm, RevealForm, ServiceForm

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


def _problems_to_form(form: forms.Form, problems: list, prefix: str) -> None:
    """Put each of the library's problems beside the form field it is about (the rest above the form)."""
    for problem in problems:
        rest = problem.path.split(prefix, 1)[1].lstrip(".") if prefix in problem.path else ""
        name = rest.split(".")[0].split("[")[0]
        form.add_error(name if name in form.fields else None, problem.message)


@login_required
def add_persuasion(request: HttpRequest, case_id: str) -> HttpResponse:
    """Record a persuasion visit: saved only when the whole case still passes the checks."""
    if not may_edit(request.user):
        raise Http404
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    form = PersuasionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        prefix = f"$.persuasions[{len(record.data.get('persuasions', []))}]"
        try:
            add_record(request, record, "persuasions", form.as_record())
        except DataProblemsError as exc:
            _problems_to_form(form, exc.problems, prefix)
        else:
            messages.success(request, "劝返记录已保存。")
            return redirect("case_detail", case_id=case_id)
    return render(request, "web/record_form.html", {"unit": unit_of(request.user), "c": record, "form": form,
                                                    "title": "添加劝返记录"})


@login_required
def record_service(request: HttpRequest, case_id: str, index: int) -> HttpResponse:
    """Record that a notice was served (送达日期 and 送达方式)."""
    if not may_edit(request.user):
        raise Http404
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    notices = record.data.get("notices", [])
    if not 0 <= index < len(notices):
        raise Http404
    notice = notices[index]
    initial = {k: notice[k] for k in ("served_on", "service_method") if notice.get(k)}
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_record(request, record, "notices", index, form.as_changes())
        except DataProblemsError as exc:
            _problems_to_form(form, exc.problems, f"$.notices[{index}]")
        else:
            messages.success(request, "送达情况已保存。")
            return redirect("case_detail", case_id=case_id)
    label = NOTICE_LABELS.get(notice.get("kind", ""), "通知书")
    return render(request, "web/record_form.html", {"unit": unit_of(request.user), "c": record, "form": form,
                                                    "title": f"记录送达（{label} {notice.get('doc_no', '')}）"})


@login_required
def add_evidence_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """Upload a piece of evidence: opened and checked before it is stored; recorded on the case."""
    if not may_edit(request.user):
        raise Http404
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            add_evidence(request, record, kind=form.cleaned_data["kind"], name=upload.name, data=upload.read(),
                         date=form.cleaned_data["date"], description=form.cleaned_data["description"])
        except UploadError as exc:
            form.add_error("file", str(exc))
        except DataProblemsError as exc:
            _problems_to_form(form, exc.problems, f"$.evidence[{len(record.data.get('evidence', []))}]")
        else:
            messages.success(request, "材料已上传。")
            return redirect("case_detail", case_id=case_id)
    return render(request, "web/record_form.html", {"unit": unit_of(request.user), "c": record, "form": form,
                                                    "title": "上传佐证材料", "upload": True})


@login_required
def evidence_file(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    """A stored evidence file, to the units that may see the case only; the download is logged."""
    record = get_object_or_404(visible_cases(request.user), case_id=case_id)
    item = next((e for e in record.data.get("evidence", []) if e.get("id") == evidence_id and e.get("sha256")), None)
    if item is None or not stored_path(item["sha256"]).is_file():
        raise Http404
    audit.log(request, audit.DOWNLOAD, case_id, evidence=evidence_id, file=item["file"])
    suffix = Path(item["file"]).suffix.lower()
    response = HttpResponse(stored_path(item["sha256"]).read_bytes(),  # uploads are at most 30 MB
                            content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition_header(False, item["file"])
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The county bureau reads the log of its county's users; nobody else sees that it exists."""
    unit = unit_of(request.user)
    if unit is None or unit.kind != Unit.Kind.BUREAU:
        raise Http404
    names = Unit.objects.filter(county=unit.county).values("name")
    events = AuditEvent.objects.filter(Q(unit__in=names) | Q(unit=""))[:500]
    return render(request, "web/audit.html", {"unit": unit, "events": events})


@login_required
def numbers(request: HttpRequest) -> HttpResponse:
    unit = unit_of(request.user)
    rows = visible_numbers(request.user).order_by("issuer", "series", "year", "seq")
    gaps = DbAllocator(unit.county).gaps() if unit and unit.kind in ("bureau", "auditor") else []
    series = Series.objects.filter(county=unit.county).count() if unit else 0
    return render(request, "web/numbers.html", {"unit": unit, "rows": rows, "gaps": gaps, "series": series})

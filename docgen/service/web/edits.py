"""Views that change a case: each form is checked, then the door (the library's checks of the whole case and
the unit's rights) before it is saved. Errors go beside the field they are about, in Chinese."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from docgen.cases.schema import case_field
from docgen.errors import DataProblemsError, DocgenError
from docgen.service.county import door
from docgen.service.county.changes import add_record, items, next_item_path, remove_record, update_record
from docgen.service.county.documents import NotIssuableError, issuable, issue, plan_issue
from docgen.service.county.door import actor_of
from docgen.service.county.evidence import UploadError, add_evidence, evidence_targets
from docgen.service.county.models import CaseRecord
from docgen.service.county.privacy import for_page
from docgen.service.web.forms import (
    EvidenceForm,
    IssueForm,
    PersuasionForm,
    ServiceForm,
    TeachingForm,
    WithdrawForm,
)
from docgen.service.web.uploads import valid_upload

NOTICE_LABELS = case_field(["notices", "[]", "kind"]).labels
RECORDS = {"persuasions": ("劝返记录", PersuasionForm)}  # list → (what it is, its form); teaching below


def editable_case(request: HttpRequest, case_id: str) -> CaseRecord:
    """The case, if this user may change it (404 otherwise: others do not learn that it exists)."""
    return door.case_to_change(actor_of(request), case_id)


def _problems_to_form(form: forms.Form, problems: list, prefix: str) -> None:
    """Put each of the library's problems beside the form field it is about (the rest above the form)."""
    for problem in problems:
        rest = problem.path.split(prefix, 1)[1].lstrip(".") if prefix in problem.path else ""
        name = rest.split(".")[0].split("[")[0]
        form.add_error(name if name in form.fields else None, problem.message)


def _form_page(request: HttpRequest, record: CaseRecord, form: forms.Form, title: str, **extra) -> HttpResponse:
    return render(request, "web/record_form.html", {"unit": actor_of(request).unit, "c": record, "form": form,
                                                    "title": title, **extra})


def _append(request: HttpRequest, record: CaseRecord, form, list_name: str, done: str) -> HttpResponse | None:
    """Append the form's record to the case's list; the redirect when saved, None when the form shows errors."""
    prefix = next_item_path(record, list_name)
    try:
        add_record(actor_of(request), record, list_name, form.as_record())
    except DataProblemsError as exc:
        _problems_to_form(form, exc.problems, prefix)
        return None
    messages.success(request, done)
    return redirect("case_detail", case_id=record.case_id)


@login_required
def add_persuasion(request: HttpRequest, case_id: str) -> HttpResponse:
    """Record a persuasion visit: saved only when the whole case still passes the checks."""
    record = editable_case(request, case_id)
    form = PersuasionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _append(request, record, form, "persuasions", "劝返记录已保存。")
        if done:
            return done
    return _form_page(request, record, form, "添加劝返记录")


def _teaching(record: CaseRecord) -> tuple[str, str]:
    """(list, label) of the case's teaching sessions; 404 for a case without a teaching plan."""
    kind = next((k for k in ("home_teaching", "remote_teaching") if record.data.get(k)), None)
    if kind is None:
        raise Http404
    return f"{kind}.sessions", "送教上门" if kind == "home_teaching" else "远程送教"


@login_required
def add_teaching(request: HttpRequest, case_id: str) -> HttpResponse:
    """Record a 送教上门 or 远程送教 session (the case says which; it must have a teaching plan first)."""
    record = editable_case(request, case_id)
    list_name, label = _teaching(record)
    form = TeachingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _append(request, record, form, list_name, f"{label}记录已保存。")
        if done:
            return done
    return _form_page(request, record, form, f"添加{label}记录")


def _record_of(request: HttpRequest, case_id: str, which: str, index: int):
    """The case, the list, what a record of it is called, its form and the record (404 when there is none)."""
    record = editable_case(request, case_id)
    if which == "persuasions":
        list_name, (label, form_class) = "persuasions", RECORDS["persuasions"]
    elif which == "teaching":
        list_name, kind = _teaching(record)
        label, form_class = f"{kind}记录", TeachingForm
    else:
        raise Http404
    listed = items(record, list_name)
    if not 0 <= index < len(listed):
        raise Http404
    return record, list_name, label, form_class, listed[index]


@login_required
def edit_record(request: HttpRequest, case_id: str, which: str, index: int) -> HttpResponse:
    """Correct a persuasion or teaching record: every changed field goes into the case's history and the audit
    log with its old value and the reason."""
    record, list_name, label, form_class, item = _record_of(request, case_id, which, index)
    form = form_class(request.POST or None, initial=form_class.initial_of(item), with_reason=True)
    if request.method == "POST" and form.is_valid():
        changes = form.as_record()
        changes.update({k: None for k in form.optional if k not in changes and k in item})
        try:
            update_record(actor_of(request), record, list_name, index, changes, reason=form.cleaned_data["reason"])
        except DataProblemsError as exc:
            _problems_to_form(form, exc.problems, f"$.{list_name}[{index}]")
        else:
            messages.success(request, f"{label}已修改。")
            return redirect("case_detail", case_id=case_id)
    return _form_page(request, record, form, f"修改{label}（第 {index + 1} 条）",
                      withdraw=WithdrawForm(), which=which, index=index)


@login_required
@require_POST
def withdraw_record(request: HttpRequest, case_id: str, which: str, index: int) -> HttpResponse:
    """Withdraw a record entered by mistake, with the reason (its old value stays in the history and the log)."""
    record, list_name, label, _form_class, _item = _record_of(request, case_id, which, index)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{label}未撤回：" + "；".join(form.errors["reason"]))
        return redirect("edit_record", case_id=case_id, which=which, index=index)
    try:
        remove_record(actor_of(request), record, list_name, index, reason=form.cleaned_data["reason"])
    except DataProblemsError as exc:
        messages.error(request, f"{label}未撤回：" + "；".join(p.message for p in exc.problems))
        return redirect("edit_record", case_id=case_id, which=which, index=index)
    messages.success(request, f"{label}已撤回。")
    return redirect("case_detail", case_id=case_id)


@login_required
def record_service(request: HttpRequest, case_id: str, index: int) -> HttpResponse:
    """Record that a notice was served (送达日期 and 送达方式)."""
    record = editable_case(request, case_id)
    notices = record.data.get("notices", [])
    if not 0 <= index < len(notices):
        raise Http404
    notice = notices[index]
    initial = {k: notice[k] for k in ("served_on", "service_method") if notice.get(k)}
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_record(actor_of(request), record, "notices", index, form.as_changes())
        except DataProblemsError as exc:
            _problems_to_form(form, exc.problems, f"$.notices[{index}]")
        else:
            messages.success(request, "送达情况已保存。")
            return redirect("case_detail", case_id=case_id)
    label = NOTICE_LABELS.get(notice.get("kind", ""), "通知书")
    return _form_page(request, record, form, f"记录送达（{label} {notice.get('doc_no', '')}）")


@login_required
def add_evidence_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """Upload a piece of evidence: streamed to disk, opened and checked in a box before it is stored; recorded
    on the case through the door."""
    record = editable_case(request, case_id)
    asked = {k: request.GET[k] for k in ("proves", "kind") if request.GET.get(k)}  # from a finding or a record
    form = EvidenceForm(request.POST or None, request.FILES or None, targets=evidence_targets(record), initial=asked)
    if valid_upload(request, form):
        upload = form.cleaned_data["file"]
        try:
            add_evidence(actor_of(request), record, kind=form.cleaned_data["kind"], name=upload.name,
                         path=Path(upload.temporary_file_path()), date=form.cleaned_data["date"],
                         description=form.cleaned_data["description"], proves=form.cleaned_data["proves"])
        except UploadError as exc:
            form.add_error("file", str(exc))
        except DataProblemsError as exc:
            _problems_to_form(form, exc.problems, next_item_path(record, "evidence"))
        else:
            messages.success(request, "材料已上传。")
            return redirect("case_detail", case_id=case_id)
    return _form_page(request, record, form, "上传佐证材料", upload=True)


@login_required
@require_POST
def issue_document(request: HttpRequest, case_id: str) -> HttpResponse:
    """Issue a document for the case: first a page that says what will be made, with the very 文号 and date it
    would take; only its 确认 numbers it from the county register, records it on the case and keeps it."""
    record = editable_case(request, case_id)
    actor = actor_of(request)
    form = IssueForm(request.POST, templates=[s.name for s in issuable(actor.unit, record)])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("case_detail", case_id=case_id)
    template, on = form.cleaned_data["template"], form.cleaned_data["date"]
    try:
        if request.POST.get("confirmed") != "1":
            planned = plan_issue(actor, record, template, on)
            return render(request, "web/issue_confirm.html", {"c": record, "p": planned, "asked": on})
        issued = issue(actor, record, template, on)
    except NotIssuableError as exc:
        raise Http404 from exc
    except DataProblemsError as exc:
        messages.error(request, "未出具：" + "；".join(p.message for p in exc.problems))
    except DocgenError as exc:  # a template that cannot make this document: said in words, never a 500
        messages.error(request, f"未出具：{for_page(str(exc))}")
    else:
        made = issued.document
        number = f"，文号 {made.doc_no}" if made.doc_no else ""
        messages.success(request, f"已出具{made.template}{number}，成文日期 {made.issued_on:%Y-%m-%d}。")
        if issued.note:
            messages.warning(request, issued.note)
    return redirect("case_detail", case_id=case_id)

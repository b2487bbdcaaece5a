"""Views that move records in and out: the Excel ledger (import with a preview, export), the 文号 register
(with voiding) and the bureau's audit log (read, export, and whether its chain is whole). Every export is
filtered by the unit through the door and logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from docgen.errors import DataProblemsError
from docgen.roster.excel import roster_headers
from docgen.roster.model import school_year_of
from docgen.service.county import audit, door, jobs
from docgen.service.county.accounts import AccountError, AlreadyReset, add_account, reset_password, reset_token
from docgen.service.county.documents import NotIssuableError, may_void, void_number, voided_notice
from docgen.service.county.door import Actor, actor_of
from docgen.service.county.ledger import LedgerRefusedError, confirm, export, preview
from docgen.service.county.models import Job, Unit
from docgen.service.county.register import DbAllocator
from docgen.service.county.roster import (
    RosterPreview,
    RosterRefusedError,
    blank_workbook,
    children_in_scope,
    confirm_roster,
    current_roster,
    may_import,
    preview_roster,
)
from docgen.service.web.forms import AccountForm, ExportForm, LedgerForm, RosterForm, VoidForm, term_form
from docgen.service.web.uploads import valid_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _ledger_page(request: HttpRequest, form: LedgerForm, result=None, export_form: ExportForm | None = None,
                 refused: str = "") -> HttpResponse:
    return render(request, "web/ledger.html", {"unit": actor_of(request).unit, "form": form, "result": result,
                                               "export": export_form or ExportForm(), "refused": refused})


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Upload a ledger: it is read and checked, and the clerk sees every problem at its cell (nothing saved);
    a clean one shows what will change and a button to confirm."""
    actor = actor_of(request)
    if actor.unit is None or (request.method == "POST" and not door.may_edit(actor)):
        raise Http404  # auditors export only
    form, result = LedgerForm(request.POST or None, request.FILES or None), None
    if valid_upload(request, form):
        result = _staged(form, lambda stream, size, name: preview(actor, stream, size, name))
    return _ledger_page(request, form, result)


def _staged(form: Any, read: Callable[[IO[bytes], int, str], Any]) -> Any:
    """What ``read`` makes of the form's uploaded workbook (stream, size, name), or None with the reason it was
    refused beside the file field."""
    upload = form.cleaned_data["file"]
    try:
        with upload.open("rb") as stream:
            return read(stream, upload.size, upload.name)
    except (LedgerRefusedError, RosterRefusedError) as exc:
        form.add_error("file", str(exc))
        return None


@login_required
@require_POST
def ledger_confirm(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        count = confirm(actor, request.POST.get("token", ""), request.POST.get("name", "台账.xlsx")[:200])
    except LedgerRefusedError as exc:
        messages.error(request, str(exc))
        return redirect("ledger")
    done = f"{count} 个案卷新增或更新" if count else "台账与系统中的案卷一致，没有变化"
    messages.success(request, f"导入完成：{done}。")
    return redirect("case_list")


@login_required
@require_POST
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The unit's cases as an Excel ledger; ID numbers masked unless asked for with a reason. A record a ledger
    cannot hold as it is stops the export with a message naming it (never a 500)."""
    actor = actor_of(request)
    if actor.unit is None:
        raise Http404
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _ledger_page(request, LedgerForm(), export_form=form)
    try:
        data = export(actor, full_ids=form.cleaned_data["full_ids"], reason=form.cleaned_data["reason"])
    except LedgerRefusedError as exc:
        return _ledger_page(request, LedgerForm(), export_form=form, refused=str(exc))
    return _workbook(data, f"{actor.unit.name}_辍学学生台账_{dt.date.today():%Y%m%d}.xlsx")


@login_required
def numbers(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    unit = actor.unit
    rows = list(door.numbers(actor).order_by("issuer", "series", "year", "seq")[:5000])
    gaps = DbAllocator(unit.county).gaps() if unit and unit.county_wide else []
    listed = door.numbers(actor).order_by().values_list("issuer", "series", "year")
    series = listed.distinct().count()  # the series of the numbers listed here, not the county's
    voidable = {n.pk for n in rows if may_void(unit, n)}
    return render(request, "web/numbers.html", {"unit": unit, "rows": rows, "gaps": gaps, "series": series,
                                                "voidable": voidable, "form": VoidForm()})


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void a number with a reason (it stays in the register; its document may be issued again)."""
    actor = actor_of(request)
    number = door.numbers(actor).filter(pk=pk).first()
    if number is None:
        raise Http404
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"文号 {number.doc_no} 未作废：" + "；".join(form.errors["reason"]))
        return redirect("numbers")
    if request.POST.get("confirmed") != "1":  # first what it takes off the case
        try:
            record, notice = voided_notice(actor, number)
        except NotIssuableError as exc:
            raise Http404 from exc
        return render(request, "web/void_confirm.html", {"unit": actor.unit, "number": number, "record": record,
                                                         "notice": notice, "reason": form.cleaned_data["reason"]})
    try:
        void_number(actor, number, form.cleaned_data["reason"])
    except NotIssuableError as exc:
        raise Http404 from exc
    except DataProblemsError as exc:
        messages.error(request, f"文号 {number.doc_no} 未作废：" + "；".join(p.message for p in exc.problems))
        return redirect("numbers")
    messages.success(request, f"文号 {number.doc_no} 已作废。")
    return redirect("numbers")


def _bureau(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if actor.unit is None or actor.kind != Unit.Kind.BUREAU:
        raise Http404
    return actor


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The county bureau reads the log of its county (and whether the chain is whole); nobody else sees that it
    exists."""
    actor = _bureau(request)
    events = audit.county_events(actor.county)
    actions = list(events.order_by("action").values_list("action", flat=True).distinct())
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    return render(request, "web/audit.html", {"unit": actor.unit, "events": events[:500], "actions": actions,
                                              "action": action, "chain": audit.verify()})


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    data = audit.events_workbook(audit.county_events(actor.county).order_by("seq").iterator())
    audit.log(actor, audit.EXPORT, "操作日志")
    return _workbook(data, f"{actor.county}_操作日志_{dt.date.today():%Y%m%d}.xlsx")


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """The county bureau makes accounts (and their units) and resets passwords; a new password is shown once."""
    actor = _bureau(request)
    form, made = AccountForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = add_account(actor, data["username"], data["unit"], data["kind"], data["township"],
                                  new_unit=data["new_unit"])
        except AccountError as exc:
            form.add_error(exc.field, str(exc))
        else:
            made = (data["username"], data["unit"], account.password)
            if account.similar:
                close = "、".join(account.similar)
                messages.warning(request, f"新建了单位“{data['unit']}”。本县已有相近的单位：{close}，"
                                          "请确认不是同一个单位（写错时请告诉系统管理员合并）。")
            form = AccountForm()
    return _accounts_page(request, actor, form, made)


@login_required
@require_POST
def reset(request: HttpRequest, username: str) -> HttpResponse:
    """A new password, once the bureau confirms it (the old one stops working at once)."""
    actor = _bureau(request)
    if request.POST.get("confirmed") != "1":
        try:
            token, of = reset_token(actor, username)
        except AccountError as exc:
            raise Http404 from exc
        return render(request, "web/reset_confirm.html", {"unit": actor.unit, "username": username, "of": of,
                                                          "own": username == actor.username, "token": token})
    try:
        password, unit = reset_password(actor, username, request.POST.get("token", ""))
    except AlreadyReset as exc:
        messages.warning(request, str(exc))
        return redirect("accounts")
    except AccountError as exc:
        raise Http404 from exc
    if username == actor.username:  # the bureau's own account: stay signed in with the new password
        request.user.refresh_from_db()
        update_session_auth_hash(request, request.user)
    return _accounts_page(request, actor, AccountForm(), (username, unit.name, password))


def _accounts_page(request: HttpRequest, actor: Actor, form: AccountForm, made: tuple | None) -> HttpResponse:
    units = Unit.objects.filter(county=actor.county).prefetch_related("members__user").order_by("kind", "township",
                                                                                                "name")
    return render(request, "web/accounts.html", {"unit": actor.unit, "units": units, "form": form, "made": made})


def _roster_page(request: HttpRequest, form: RosterForm | None = None, preview: RosterPreview | None = None
                 ) -> HttpResponse:
    actor = actor_of(request)
    kept = current_roster(actor)
    in_scope = children_in_scope(actor, kept) if kept is not None else 0
    today = dt.date.today()
    sheet, columns = roster_headers()
    return render(request, "web/roster.html", {
        "unit": actor.unit, "kept": kept, "in_scope": in_scope, "preview": preview, "sheet": sheet,
        "columns": columns,
        "form": (form or RosterForm(initial={"school_year": school_year_of(today)}))
        if may_import(actor) else None,
        "term": term_form(kept.school_year if kept else None) if jobs.may_start(actor.unit, Job.Kind.ROSTER) else None})


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """The county's roster: what is in use and for whom; the bureau uploads a new one (checked, shown, nothing kept
    until confirmed); the units start the term's ledgers and statistics from here."""
    actor = actor_of(request)
    if actor.unit is None:
        raise Http404
    if request.method != "POST":
        return _roster_page(request)
    if not may_import(actor):
        raise Http404
    form, preview = RosterForm(request.POST, request.FILES), None
    if valid_upload(request, form):
        year = form.cleaned_data["school_year"]
        preview = _staged(form, lambda stream, size, name: preview_roster(actor, stream, size, name, year))
    return _roster_page(request, form, preview)


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    """An empty roster workbook with the columns the import reads (for the bureau, which imports one)."""
    if not may_import(actor_of(request)):
        raise Http404
    return _workbook(blank_workbook(), "适龄儿童少年台账_空白.xlsx")


@login_required
@require_POST
def roster_confirm(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        year = int(request.POST.get("school_year", ""))
        kept = confirm_roster(actor, request.POST.get("token", ""), request.POST.get("name", "台账.xlsx")[:200], year)
    except ValueError:
        raise Http404 from None
    except RosterRefusedError as exc:
        messages.error(request, str(exc))
        return redirect("roster")
    label = f"{kept.school_year}—{kept.school_year + 1}学年"
    messages.success(request, f"已导入{label}适龄儿童少年台账，共 {kept.children} 人。")
    return redirect("roster")

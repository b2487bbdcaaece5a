"""Views that move records in and out: the Excel ledger (import with a preview, export), the 文号 register
(with voiding) and the bureau's audit log (read and export). Every export is filtered by the unit and logged."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from docgen.service.county import audit
from docgen.service.county.access import may_edit, unit_of, visible_numbers
from docgen.service.county.accounts import AccountError, add_account, reset_password
from docgen.service.county.documents import NotIssuableError, may_void, void_number
from docgen.service.county.ledger import LedgerRefusedError, confirm, export, preview
from docgen.service.county.models import AuditEvent, Member, Series, Unit
from docgen.service.county.register import DbAllocator
from docgen.service.web.forms import AccountForm, ExportForm, LedgerForm, VoidForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Upload a ledger: it is read and checked, and the clerk sees every problem at its cell (nothing saved);
    a clean one shows what will change and a button to confirm."""
    unit = unit_of(request.user)
    if unit is None or (request.method == "POST" and not may_edit(request.user)):
        raise Http404  # auditors export only
    form, result = LedgerForm(request.POST or None, request.FILES or None), None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = preview(unit, upload.read(), upload.name)
        except LedgerRefusedError as exc:
            form.add_error("file", str(exc))
    return render(request, "web/ledger.html", {"unit": unit, "form": form, "result": result,
                                               "export": ExportForm()})


@login_required
@require_POST
def ledger_confirm(request: HttpRequest) -> HttpResponse:
    unit = unit_of(request.user)
    if not may_edit(request.user):
        raise Http404
    try:
        count = confirm(request, unit, request.POST.get("digest", ""), request.POST.get("name", "台账.xlsx"))
    except LedgerRefusedError as exc:
        messages.error(request, str(exc))
        return redirect("ledger")
    done = f"{count} 个案卷新增或更新" if count else "台账与系统中的案卷一致，没有变化"
    messages.success(request, f"导入完成：{done}。")
    return redirect("case_list")


@login_required
@require_POST
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The unit's cases as an Excel ledger; ID numbers masked unless asked for with a reason."""
    unit = unit_of(request.user)
    if unit is None:
        raise Http404
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "web/ledger.html", {"unit": unit, "form": LedgerForm(), "result": None,
                                                   "export": form})
    data = export(request, full_ids=form.cleaned_data["full_ids"], reason=form.cleaned_data["reason"])
    return _workbook(data, f"{unit.name}_辍学学生台账_{dt.date.today():%Y%m%d}.xlsx")


@login_required
def numbers(request: HttpRequest) -> HttpResponse:
    unit = unit_of(request.user)
    rows = list(visible_numbers(request.user).order_by("issuer", "series", "year", "seq"))
    gaps = DbAllocator(unit.county).gaps() if unit and unit.kind in ("bureau", "auditor") else []
    series = Series.objects.filter(county=unit.county).count() if unit else 0
    voidable = {n.pk for n in rows if may_void(unit, n)}
    return render(request, "web/numbers.html", {"unit": unit, "rows": rows, "gaps": gaps, "series": series,
                                                "voidable": voidable, "form": VoidForm()})


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void a number with a reason (it stays in the register; its document may be issued again)."""
    unit = unit_of(request.user)
    number = get_object_or_404(visible_numbers(request.user), pk=pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"文号 {number.doc_no} 未作废：" + "；".join(form.errors["reason"]))
        return redirect("numbers")
    try:
        void_number(request, unit, number, form.cleaned_data["reason"])
    except NotIssuableError as exc:
        raise Http404 from exc
    messages.success(request, f"文号 {number.doc_no} 已作废。")
    return redirect("numbers")


def _bureau_events(request: HttpRequest):
    unit = _bureau(request)
    names = Unit.objects.filter(county=unit.county).values("name")
    return unit, AuditEvent.objects.filter(Q(unit__in=names) | Q(unit=""))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The county bureau reads the log of its county's users; nobody else sees that it exists."""
    unit, events = _bureau_events(request)
    actions = list(events.order_by("action").values_list("action", flat=True).distinct())
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    return render(request, "web/audit.html", {"unit": unit, "events": events[:500], "actions": actions,
                                              "action": action})


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    unit, events = _bureau_events(request)
    data = audit.events_workbook(events.order_by("at", "id").iterator())
    audit.log(request, audit.EXPORT, "操作日志")
    return _workbook(data, f"{unit.county}_操作日志_{dt.date.today():%Y%m%d}.xlsx")


def _bureau(request: HttpRequest) -> Unit:
    unit = unit_of(request.user)
    if unit is None or unit.kind != Unit.Kind.BUREAU:
        raise Http404
    return unit


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """The county bureau makes accounts (and their units) and resets passwords; a new password is shown once."""
    unit = _bureau(request)
    form, made = AccountForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            password = add_account(unit.county, data["username"], data["unit"], data["kind"], data["township"])
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            audit.log(request, audit.ACCOUNT, data["username"], unit=data["unit"])
            made = (data["username"], data["unit"], password)
            form = AccountForm()
    return _accounts_page(request, unit, form, made)


@login_required
@require_POST
def reset(request: HttpRequest, username: str) -> HttpResponse:
    unit = _bureau(request)
    try:
        password = reset_password(unit.county, username)
    except AccountError as exc:
        raise Http404 from exc
    audit.log(request, audit.ACCOUNT, username, reset=True)
    member = Member.objects.select_related("unit").get(user__username=username)
    return _accounts_page(request, unit, AccountForm(), (username, member.unit.name, password))


def _accounts_page(request: HttpRequest, unit: Unit, form: AccountForm, made: tuple | None) -> HttpResponse:
    units = Unit.objects.filter(county=unit.county).prefetch_related("members__user").order_by("kind", "township",
                                                                                              "name")
    return render(request, "web/accounts.html", {"unit": unit, "units": units, "form": form, "made": made})

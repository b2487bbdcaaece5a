"""Views of background jobs and kept audits: start a batch, an archive or an audit; follow a job (its page asks
for its progress every second); cancel it; download its result; read an audit's findings and compare two."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from docgen.service.county import audit, door, jobs
from docgen.service.county.door import actor_of
from docgen.service.county.filings import report_month
from docgen.service.county.jobs.audits import compare
from docgen.service.county.jobs.render import plan_batch
from docgen.service.county.jobs.runner import JobFailed
from docgen.service.county.models import AuditRun, Job
from docgen.service.county.roster import current_roster
from docgen.service.web.forms import AsOfForm, BatchForm, CompareForm, MonthForm, term_form

ARCHIVE_SCOPE = {"bureau": "全县", "township": "本乡镇", "school": "本校"}


def _forms(request: HttpRequest, unit, data=None, which: str = "") -> dict:
    today = {"date": dt.date.today()}
    batch = BatchForm(data if which == "render" else None, initial=today, templates=jobs.batch_templates(unit))
    archive = AsOfForm(data if which == "archive" else None, initial=today, prefix="archive")
    check = AsOfForm(data if which == "audit" else None, initial=today, prefix="audit")
    monthly = MonthForm(data if which == "monthly" else None, prefix="monthly",
                        initial={"month": report_month(dt.date.today()).strftime("%Y-%m")})
    kept = current_roster(actor_of(request)) if jobs.may_start(unit, Job.Kind.ROSTER) else None
    term = term_form(kept.school_year if kept else None, data if which == "roster" else None)
    return {"batch": batch if jobs.may_start(unit, Job.Kind.RENDER) else None,
            "term": term if jobs.may_start(unit, Job.Kind.ROSTER) else None,
            "monthly": monthly if jobs.may_start(unit, Job.Kind.MONTHLY) else None,
            "archive": archive if jobs.may_start(unit, Job.Kind.ARCHIVE) else None,
            "check": check if jobs.may_start(unit, Job.Kind.AUDIT) else None}


def _confirm_batch(request: HttpRequest, template: str, day: dt.date, pdf: bool) -> HttpResponse:
    try:
        plan = plan_batch(actor_of(request), template, day)
    except JobFailed as exc:
        messages.error(request, f"{exc}{exc.advice}")
        return redirect("jobs")
    except door.NotFound as exc:
        raise Http404 from exc
    return render(request, "web/batch_confirm.html", {"plan": plan, "pdf": pdf})


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The unit's jobs, newest first, and the forms that start new ones."""
    actor = actor_of(request)
    unit = actor.unit
    which = request.POST.get("kind", "")
    forms = _forms(request, unit, request.POST or None, which)
    if request.method == "POST":
        if not jobs.may_start(unit, which):
            raise Http404  # an unknown kind too
        form = {"render": forms["batch"], "archive": forms["archive"], "audit": forms["check"],
                "monthly": forms["monthly"], "roster": forms["term"]}[which]
        if form is not None and form.is_valid():
            day = form.cleaned_data.get("date")
            if which == "monthly":
                month = form.cleaned_data["month"]
                params = {"month": month}
                title = f"{month[:4]}年{int(month[5:])}月月报表和台账"
            elif which == "render":
                template, pdf = form.cleaned_data["template"], form.cleaned_data["pdf"]
                if request.POST.get("confirmed") != "1":  # first what it will do, with the numbers it takes
                    return _confirm_batch(request, template, day, pdf)
                params = {"template": template, "on": day.isoformat(), "pdf": pdf}
                title = f"批量出具{template}（所填成文日期 {day.isoformat()}{'，含 PDF' if pdf else ''}）"
            elif which == "roster":
                params = {"on": day.isoformat()}
                title = f"就读台账和开学工作统计（开学日期 {day.isoformat()}）" + (
                    "、入学通知书" if unit.kind == "bureau" else "")
            elif which == "archive":
                params = {"on": day.isoformat()}
                title = f"整理{ARCHIVE_SCOPE.get(unit.kind, '')}迎检档案（截至 {day.isoformat()}）"
            else:
                params = {"on": day.isoformat()}
                title = f"核查{ARCHIVE_SCOPE.get(unit.kind, '全县')}案卷（截至 {day.isoformat()}）"
            try:
                job = jobs.start(actor, which, params, title)
            except jobs.JobRefused as exc:
                messages.error(request, str(exc))
                return redirect("jobs")
            return redirect("job_detail", pk=job.pk)
    rows = jobs.visible_jobs(actor).select_related("unit")[:100]
    return render(request, "web/jobs.html", {"unit": unit, "rows": rows, "keep_days": settings.JOB_RESULT_DAYS,
                                             **forms})


def _visible(request: HttpRequest, pk: int) -> Job:
    return jobs.job_of(actor_of(request), pk)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible(request, pk)
    unit = actor_of(request).unit
    run = getattr(job, "audit_run", None) if job.kind == Job.Kind.AUDIT else None
    return render(request, "web/job.html", {"unit": unit, "job": job, "run": run,
                                            "may_cancel": not job.finished_state and job.unit == unit})


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page shows, for its script to refresh it without reloading."""
    job = _visible(request, pk)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(), "phase": job.phase,
                         "done": job.done, "total": job.total, "percent": job.percent, "message": job.message,
                         "advice": job.advice, "log": job.log[-4000:], "finished": job.finished_state,
                         "result": bool(job.result_file and job.status == Job.Status.DONE)})


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible(request, pk)
    if not job.finished_state:
        jobs.cancel(actor_of(request), job)
        messages.info(request, "已要求取消：当前一步做完后停止，已生成的部分不作为结果。")
    return redirect("job_detail", pk=job.pk)


@login_required
def job_result(request: HttpRequest, pk: int) -> FileResponse:
    job = _visible(request, pk)
    path = jobs.result_path(job)
    if path is None:
        raise Http404
    audit.log(actor_of(request), audit.DOWNLOAD, f"#{job.pk}", file=job.result_file)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=job.result_file)


@login_required
def audit_runs(request: HttpRequest) -> HttpResponse:
    """Every kept audit the unit may see, the trend of its gaps, and the form that compares two."""
    runs = list(jobs.visible_audits(actor_of(request)).select_related("unit")[:200])
    choices = [(r.pk, f"#{r.job_id} {r.unit.name} 截至 {r.as_of:%Y-%m-%d}"
                      f"（{timezone.localtime(r.created):%Y-%m-%d %H:%M} 核查）") for r in runs]
    # runs come newest first: the form starts on the one before the newest, against the newest
    initial = {"before": str(runs[1].pk), "after": str(runs[0].pk)} if len(runs) > 1 else {}
    form = CompareForm(request.GET or None, runs=choices, initial=initial)
    if request.GET and form.is_valid():
        return redirect(f"{request.path}compare/{form.cleaned_data['before']}/{form.cleaned_data['after']}/")
    return render(request, "web/audits.html", {"unit": actor_of(request).unit, "runs": runs, "form": form})


def _audit(request: HttpRequest, pk: int) -> AuditRun:
    found = jobs.visible_audits(actor_of(request)).select_related("unit", "job").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def audit_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _audit(request, pk)
    return render(request, "web/audit_run.html", {"unit": actor_of(request).unit, "run": run,
                                                  "report": run.report})


@login_required
def audit_compare(request: HttpRequest, before: int, after: int) -> HttpResponse:
    old, new = _audit(request, before), _audit(request, after)
    return render(request, "web/audit_compare.html", {"unit": actor_of(request).unit, "old": old, "new": new,
                                                      "diff": compare(old, new)})

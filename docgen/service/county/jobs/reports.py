"""The month's national reports as a job: each reporting unit's monthly report (一月一报告), the 疑似辍学 and 辍学
ledgers with 动态销号, and for the bureau and auditors the quarter's review (一季度一复核) — printable workbooks
made by the library, zipped for download."""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import zipfile

from docgen.cases import Case
from docgen.followup.monthly import monthly_report, reporting_units
from docgen.followup.national import (
    quarter_of,
    quarter_review,
    write_ledgers,
    write_monthly_workbook,
    write_quarter_review,
)
from docgen.fsutil import atomic_path, safe_name
from docgen.service.county.jobs.runner import JobFailed, Run
from docgen.service.county.models import Unit
from docgen.service.county.overview import as_cases


def _units(run: Run, cases: list[Case]) -> list[str]:
    """The units whose monthly reports this unit makes: itself (a school), itself and its schools (a township),
    every township and school of the county (the bureau, auditors)."""
    unit = run.job.unit
    schools = Unit.objects.filter(county=unit.county, kind=Unit.Kind.SCHOOL)
    if unit.kind == Unit.Kind.SCHOOL:
        return [unit.name]
    if unit.kind == Unit.Kind.TOWNSHIP:
        return [unit.township, *sorted(schools.filter(township=unit.township).values_list("name", flat=True))]
    return reporting_units(cases, set(schools.values_list("name", flat=True)))


def run(run: Run) -> str:
    month = dt.date.fromisoformat(run.job.params["month"] + "-01")
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    cases = as_cases(run.records())
    if not cases:
        raise JobFailed("本单位没有案卷，无法生成报表", "先录入或导入案卷。")
    units = _units(run, cases)
    today = dt.date.today()
    work = run.folder / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    run.phase("月报表", len(units))
    label = f"{month.year}年{month.month}月"
    for done, name in enumerate(units, 1):
        target = work / f"{safe_name(name)}_{label}_控辍保学月报表.xlsx"
        write_monthly_workbook(monthly_report(cases, name, month), target, "", today)
        run.progress(done)
    if run.job.unit.county_wide:  # the county's own summary, by township
        summary = work / f"{safe_name(run.job.county)}_{label}_控辍保学月报表（全县汇总）.xlsx"
        write_monthly_workbook(monthly_report(cases, f"{run.job.county}（全县汇总）", month, whole=True), summary,
                               "", today)
    run.phase("台账")
    scope = run.job.unit.name
    ledgers = work / f"{safe_name(scope)}_疑似辍学和辍学学生台账_截至{month_end.isoformat()}.xlsx"
    write_ledgers(cases, scope, month_end, ledgers)
    quarter = None
    if run.job.unit.county_wide:
        run.phase("季度复核")
        year, q = quarter_of(month)
        schools = Unit.objects.filter(county=run.job.unit.county, kind=Unit.Kind.SCHOOL)
        review = quarter_review(cases, run.job.county, year, q, units, dict(schools.values_list("name", "township")))
        quarter = review.label
        write_quarter_review(review, work / f"{safe_name(run.job.county)}_{review.label}_控辍保学复核表.xlsx", today)
    name = safe_name(f"报表_{scope}_{label}") + ".zip"
    target = run.folder / name
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(work.iterdir()):
            bundle.write(path, path.name)
    shutil.rmtree(work, ignore_errors=True)
    run.keep(target, {"units": len(units), "month": run.job.params["month"], "quarter": quarter or ""})
    return f"已生成 {len(units)} 个单位的{label}月报表和台账" + (f"，以及{quarter}复核表" if quarter else "")

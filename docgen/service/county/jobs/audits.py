"""An audit as a job: the library checks every case the unit sees (with the stored evidence) and writes its
report (JSON, HTML, PDF, Excel); the run is kept with its report for the history, the diff and the trend."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

from django.db import transaction

from docgen.check.stream import audit_data
from docgen.fsutil import atomic_path, safe_name
from docgen.report import build_report, write_reports
from docgen.report.diff import AuditDiff, diff_reports
from docgen.service.county.jobs.runner import Run
from docgen.service.county.models import AuditRun
from docgen.service.county.overview import county_spec


def run(run: Run) -> str:
    as_of = dt.date.fromisoformat(run.job.params["on"])
    records, evidence = run.cases_with_evidence("核查")
    run.phase("核查", len(records))
    spec = county_spec()
    # the CLI's audit (cases that fail the checks are findings, duplicates across cases found), over the unit's cases
    result = audit_data([(f"案卷 {d.get('case_id', '')}", d) for d in records], spec, as_of, evidence,
                        progress=lambda done, _read: run.progress(done)).result
    run.progress(len(records), len(records))
    run.phase("写核查报告")
    unit = run.job.unit
    scope = f"{unit.county}全县" if unit.county_wide else unit.name  # the cases it covers, not who ran it
    report = build_report(result, spec, f"{scope}，案卷 {len(records)} 份", generated=dt.date.today())
    reports = run.folder / "reports"
    written = write_reports(report, reports)
    name = safe_name(f"核查报告_{unit.name}_{as_of.isoformat()}") + ".zip"
    target = run.folder / name
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in written:
            bundle.write(path, path.name)
    shutil.rmtree(evidence, ignore_errors=True)
    total = report.total
    with transaction.atomic():
        AuditRun.objects.update_or_create(job=run.job, defaults={
            "county": run.job.county, "unit": unit, "as_of": as_of, "scope": report.scope, "cases": total.cases,
            "complete": total.complete, "gaps": len(result.gaps), "warnings": total.all_warnings,
            "report": report.as_json()})
        run.keep(target, {"cases": total.cases, "complete": total.complete, "gaps": len(result.gaps)})
    return f"核查 {total.cases} 份案卷：齐全 {total.complete} 份，缺漏 {len(result.gaps)} 处"


def compare(before: AuditRun, after: AuditRun) -> AuditDiff:
    """Two kept audits compared by the library (as ``docgen diff`` compares two report files)."""
    return diff_reports(before.report, after.report)

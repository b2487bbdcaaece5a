"""The roster's work of a term as a job: the A3B3 就读台账 (B3-1…B3-3, counted for the unit's scope), the 开学工作
统计报表 of its schools, and — for the bureau, whose documents they are — the 入学通知书 of this year's entrants,
numbered from the county's register by the library's batch (the same one ``docgen render`` runs). Printable files,
zipped for download."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

from docgen.fsutil import atomic_path, safe_name
from docgen.render import load_registry, render_batch
from docgen.render.numbers import number_ranges
from docgen.roster import build_tables, reconcile, write_tables
from docgen.roster.entrants import due_entrants
from docgen.roster.model import outside_school_year
from docgen.roster.term import term_report
from docgen.roster.writers import write_term_reports
from docgen.service.county.documents import county_issuing, may_issue
from docgen.service.county.jobs.runner import JobFailed, Run
from docgen.service.county.overview import as_cases
from docgen.service.county.register import DbRegister
from docgen.service.county.roster import as_roster, current_roster, schools_in_scope, scope

ENROLMENT = "入学通知书"


def run(run: Run) -> str:
    kept = current_roster(run.actor)
    if kept is None:
        raise JobFailed("本县还没有导入适龄儿童少年台账", "请县教育局在“适龄儿童”页导入台账后再发起。")
    roster = as_roster(kept)
    term_start = dt.date.fromisoformat(run.job.params["on"])
    wrong_year = outside_school_year(roster.school_year, term_start, "开学日期")
    if wrong_year:
        raise JobFailed(wrong_year, "在后台任务页改用台账学年内的开学日期重新发起。")
    cases = as_cases(run.records())
    work = run.folder / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    run.phase("就读台账")
    tables = build_tables(roster, cases, *scope(run.actor))
    write_tables(tables, work / "A3B3_就读台账")
    counts = reconcile(tables)
    run.note(f"{tables.unit}：适龄儿童少年 {counts['children']} 人")
    for problem in tables.problems:
        run.note(f"台账与案卷不一致：{problem.message}")
    schools = schools_in_scope(run.actor, roster)
    run.phase("开学统计", len(schools))
    if schools:
        reports = [term_report(roster, cases, school, term_start) for school in schools]
        write_term_reports(reports, work / f"开学工作统计报表_{term_start.isoformat()}.xlsx")
    run.progress(len(schools))
    made = 0
    spec = load_registry().get(ENROLMENT)
    if may_issue(run.job.unit, spec):  # the bureau's documents: a township or school gets the ledgers only
        entrants = due_entrants(roster)
        run.phase(f"生成{ENROLMENT}", len(entrants))
        result = render_batch(spec, entrants, work / ENROLMENT, register=DbRegister(run.job.county), on=term_start,
                              issuing=county_issuing(), workers=1, progress=lambda done, _s: run.progress(done))
        for listing in (work / ENROLMENT).glob("*.json"):  # the library's manifest is for machines
            listing.unlink()
        made = len(result.documents)
        numbered = [d.doc_no for d in result.documents if d.doc_no]
        if numbered:
            run.note(f"{ENROLMENT} {made} 份，文号 {'、'.join(number_ranges(numbered))}")
    run.phase("打包")
    target = run.folder / (safe_name(f"适龄儿童_{run.job.unit.name}_{term_start.isoformat()}") + ".zip")
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            bundle.write(path, path.relative_to(work).as_posix())
    shutil.rmtree(work, ignore_errors=True)
    run.keep(target, {"children": counts["children"], "schools": len(schools), "entrants": made})
    notices = f"，{made} 份{ENROLMENT}" if made else ""
    return f"已生成就读台账（{counts['children']} 名儿童）、{len(schools)} 所学校的开学工作统计报表{notices}"

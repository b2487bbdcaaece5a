"""The inspection archive of the cases a unit sees, as a job: the library assembles it (one folder per student,
covers, catalogues, the bound PDF, the audit), it is verified as a BagIt bag, and zipped for download. The
library builds it in a staging folder and swaps it in, so a job run again starts that step afresh."""

from __future__ import annotations

import datetime as dt
import shutil

from django.conf import settings

from docgen.archive import assemble_archive, verify_bag
from docgen.fsutil import safe_name
from docgen.render import load_registry
from docgen.service.county.jobs.runner import Run
from docgen.service.county.overview import county_spec
from docgen.service.county.privacy import mask_name
from docgen.workspace import default_archive


def run(run: Run) -> str:
    as_of = dt.date.fromisoformat(run.job.params["on"])
    data, evidence = run.cases_with_evidence("整理")
    cases = run.usable([(f"案卷 {d.get('case_id', '')}", d) for d in data])
    run.phase("整理案卷", len(cases))
    unit = run.job.unit
    name = safe_name(f"迎检档案_{unit.name}_{as_of.isoformat()}")
    out = run.folder / name
    archive_settings = settings.WORKSPACE.archive if settings.WORKSPACE else default_archive()
    result = assemble_archive(cases, out, county_spec(), load_registry(), evidence_root=evidence,
                              as_of=as_of, county=unit.county, make_zip=True, settings=archive_settings,
                              issuing=settings.WORKSPACE.issuing if settings.WORKSPACE else None,
                              progress=lambda done, total: run.progress(done, total))
    run.phase("校验")
    check = verify_bag(out)
    for problem in result.problems:  # an item of a case (its file missing or unbindable): the case is in
        who, _, case_id = problem.file.partition("(")
        run.note(f"未能纳入：{mask_name(who)}（{case_id.rstrip(')')}）的 {problem.path}：{problem.message}")
    shutil.rmtree(evidence, ignore_errors=True)
    assert result.zip_path is not None
    run.keep(result.zip_path, {"students": result.students, "files": result.files, "gaps": result.gaps,
                               "verified": not check.problems, "verify_problems": check.problems[:20],
                               "not_included": len(result.problems)})
    verified = "校验通过" if not check.problems else f"校验发现 {len(check.problems)} 处问题"
    return f"已整理 {result.students} 名学生的档案，共 {result.files} 个文件；核查缺漏 {result.gaps} 处；{verified}"

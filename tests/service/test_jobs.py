"""Background jobs, run in this process one attempt at a time (the worker processes are tested in test_workers.py):
a batch of notices numbered without gaps and packed into a zip; an attempt that dies part-way is queued again by
the watchdog and the next attempt continues with the same numbers; cancelling; failures in the clerk's words;
audits kept and compared."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from batch_zip import listed
from conftest import client_of
from django.test import Client
from django.utils import timezone
from ledger_files import new_student

from docgen.cases import Case
from docgen.demo import demo_cases
from docgen.errors import TemplateError
from docgen.render import stream as batch_stream
from docgen.render.batch import Job as RenderJob
from docgen.render.context import DocInfo
from docgen.render.stream import manifest_name
from docgen.service.county import jobs
from docgen.service.county.door import save_case
from docgen.service.county.jobs import render as render_job
from docgen.service.county.jobs.watchdog import requeue_stale
from docgen.service.county.models import AuditRun, CaseRecord, IssuedDocument, IssuedNumber, Job, Unit
from docgen.service.county.register import DbAllocator

pytestmark = pytest.mark.usefixtures("in_process_jobs")  # jobs run here, in the test's transaction


def start(client: Client, kind: str, **fields: str) -> Job:
    data = {"kind": kind, **fields, **({"confirmed": "1"} if kind == "render" else {})}
    response = client.post("/jobs/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.latest("pk")


def test_a_batch_shows_its_documents_and_numbers_before_any_is_taken(accounts: dict[str, str]) -> None:
    save_case(new_student())  # a case with no notice yet: its document takes a new number
    client = client_of(accounts, "云溪镇")
    before = set(IssuedNumber.objects.values_list("doc_no", flat=True))
    asked = client.post("/jobs/", {"kind": "render", "template": "限期复学通知书", "date": "2022-10-14"})
    plan = asked.context["plan"]
    assert plan.new_numbers and len(plan.new_numbers) + plan.kept == plan.documents
    assert all(n.startswith("云政限复〔2022〕") for n in plan.new_numbers)
    page = asked.content.decode()
    assert f"确认出具 {plan.documents} 份，取用 {len(plan.new_numbers)} 个文号" in page and plan.new_numbers[0] in page
    assert f"{plan.kept} 份（案卷已记载，重新出具）" in page
    assert not Job.objects.exists()  # nothing started, nothing taken
    assert set(IssuedNumber.objects.values_list("doc_no", flat=True)) == before
    assert plan.dates and f"<b>{plan.dates}</b>" in page  # the dates the documents carry, not only the one typed
    job = start(client, "render", template="限期复学通知书", date="2022-10-14")
    jobs.run_steps(job.pk)
    taken = set(IssuedNumber.objects.values_list("doc_no", flat=True)) - before
    assert taken == set(plan.new_numbers)  # the very numbers shown
    job.refresh_from_db()
    assert f"共 {plan.documents} 份，新取文号 {'、'.join(plan.ranges)}，{plan.kept} 份沿用案卷已有的文号" in job.log


def test_a_township_batch_numbers_every_notice_once_and_packs_a_zip(accounts: dict[str, str]) -> None:
    client = client_of(accounts, "云溪镇")
    job = start(client, "render", template="限期复学通知书", date="2022-10-14")
    assert job.status == Job.Status.QUEUED and job.unit.name == "云溪镇人民政府"
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.message, job.log)
    count = job.summary["documents"]
    assert count > 0 and job.done == job.total == count
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        names = bundle.namelist()
        documents = listed(bundle)
        assert sum(n.startswith("文书/") for n in names) == count
        assert "打印/限期复学通知书_打印合并.docx" in names
        for name in names:
            if name.endswith(".docx"):
                zipfile.ZipFile(io.BytesIO(bundle.read(name))).testzip()  # every document opens
    numbers = [d["doc_no"] for d in documents]
    assert len(set(numbers)) == count
    assert not DbAllocator("青石县").gaps()
    assert IssuedDocument.objects.filter(template="限期复学通知书").count() >= count
    for d in documents:  # each case records its notice, with the number in the zip
        notices = CaseRecord.objects.get(case_id=d["case_id"]).data["notices"]
        assert any(n.get("doc_no") == d["doc_no"] for n in notices if n["kind"] == "return_order")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and f"/jobs/{job.pk}/result/" in page and "job.js" not in page
    download = client.get(f"/jobs/{job.pk}/result/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    # Another township sees neither the job nor its result.
    other = client_of(accounts, "桐林乡")
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/result/").status_code == 404


def test_an_attempt_that_dies_is_queued_again_and_the_next_continues_with_the_same_numbers(
        accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch, settings) -> None:
    client = client_of(accounts, "县教育局" if "县教育局" in accounts else "青石县教育局")
    monkeypatch.setattr(render_job, "PART", 4)
    job = start(client, "render", template="限期复学通知书", date="2022-10-14")
    real, calls = render_job._render_part, []

    def dies_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # not caught by the runner, like a process that is gone
        return real(*args, **kwargs)

    monkeypatch.setattr(render_job, "_render_part", dies_on_the_third)
    with pytest.raises(SystemExit):
        jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1
    numbers_before = set(IssuedNumber.objects.values_list("doc_no", flat=True))
    assert requeue_stale(timezone.now()) == []  # its heartbeat is fresh: not taken for dead yet
    later = timezone.now() + dt.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    assert requeue_stale(later) == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and "重新排队" in job.log
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2, job.log
    assert "第 1 部分上次已完成，沿用" in job.log and "第 2 部分上次已完成，沿用" in job.log
    assert set(IssuedNumber.objects.values_list("doc_no", flat=True)) == numbers_before  # none new, none lost
    assert not DbAllocator("青石县").gaps()
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        documents = listed(bundle)
    assert len(documents) == job.summary["documents"] == len({d["doc_no"] for d in documents})
    assert len(list(jobs.job_folder(job.pk).glob("*.zip"))) == 1 and not (jobs.job_folder(job.pk) / "work").exists()


def test_a_document_that_cannot_be_made_leaves_the_others_made_and_says_whose(
        accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_of(accounts, "云溪镇")
    real, victim = batch_stream.template_context, []

    def fails_for_one(view, *args, **kwargs):  # the first student's notice cannot be made, however often tried
        name = view["student"]["name"]
        if not victim:
            victim.append(name)
        if name == victim[0]:
            raise TemplateError("模板“限期复学通知书”第 3 段无法生成")
        return real(view, *args, **kwargs)

    monkeypatch.setattr(batch_stream, "template_context", fails_for_one)
    job = start(client, "render", template="限期复学通知书", date="2022-10-14")
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.message, job.log)
    assert "文书未能生成：模板“限期复学通知书”第 3 段无法生成" in job.message and "另有 1 份案卷未能处理" in job.message
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        documents = listed(bundle)
        names = bundle.namelist()
    assert len(documents) == job.summary["documents"] > 0
    assert jobs.result_path(job).name.endswith(f"_{len(documents)}份.zip")  # named by what it holds
    assert victim[0] not in {d["student"] for d in documents}
    assert sum(n.startswith("文书/") for n in names) == len(documents) and "打印/限期复学通知书_打印合并.docx" in names
    stored = set(IssuedDocument.objects.filter(template="限期复学通知书").values_list("case_id", flat=True))
    assert stored == {d["case_id"] for d in documents}


def test_a_part_is_reused_only_when_it_holds_the_same_cases_with_the_same_numbers(tmp_path) -> None:
    spec = render_job.template("限期复学通知书")
    data = demo_cases()[0]["cases"]

    def planned(*numbered: tuple[int, str]) -> list[RenderJob]:
        return [RenderJob(Case(data[i], "cases.json", f"$.cases[{i}]"), None, None,
                          DocInfo(no, "云溪镇人民政府", "镇", dt.date(2022, 10, 14), None, "青石县教育局"))
                for i, no in numbered]

    part = tmp_path / "part-0000"
    (part / "made").mkdir(parents=True)
    documents = [{"file": "0.docx", "case_id": data[0]["case_id"], "doc_no": "云政限复〔2022〕1号"}]
    (part / "made" / manifest_name(spec)).write_text(json.dumps({"documents": documents, "print_files": []}),
                                                     encoding="utf-8")
    assert not render_job._done_before(spec, part, planned((0, "云政限复〔2022〕1号")))  # its list of failures is
    # written last: without it the part was not finished
    (part / render_job.FAILED).write_text(json.dumps({data[1]["case_id"]: "模板无法生成"}), encoding="utf-8")
    assert render_job._done_before(spec, part, planned((0, "云政限复〔2022〕1号"), (1, "云政限复〔2022〕2号")))
    assert not render_job._done_before(spec, part, planned((0, "云政限复〔2022〕1号"), (2, "云政限复〔2022〕2号")))
    assert not render_job._done_before(spec, part, planned((0, "云政限复〔2022〕3号"), (1, "云政限复〔2022〕2号")))
    assert not render_job._done_before(spec, part, planned((0, "云政限复〔2022〕1号")))


def test_cancelling_a_queued_job_stops_it_before_it_starts(accounts: dict[str, str]) -> None:
    client = client_of(accounts, "云溪镇")
    numbers = IssuedNumber.objects.count()  # the demo cases record some already
    job = start(client, "render", template="限期复学通知书", date="2022-10-14")
    client.post(f"/jobs/{job.pk}/cancel/")
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and IssuedNumber.objects.count() == numbers
    status = client.get(f"/jobs/{job.pk}/status/").json()
    assert status["finished"] and status["status_label"] == "已取消"


def test_a_batch_with_nothing_to_issue_fails_in_the_clerks_words(accounts: dict[str, str]) -> None:
    client = client_of(accounts, "云溪镇")
    numbers = IssuedNumber.objects.count()
    job = start(client, "render", template="限期复学通知书", date="2022-10-14")
    Job.objects.filter(pk=job.pk).update(params=dict(job.params, case_ids=["QS-0000-000"]))  # a case it cannot see
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "所选案卷中没有需要出具“限期复学通知书”的学生"
    assert job.advice == "检查案卷的处置类别，或换一种文书。"
    assert IssuedNumber.objects.count() == numbers and jobs.result_path(job) is None
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "失败" in page and "检查案卷的处置类别" in page


def test_auditors_start_audits_but_no_batches(accounts: dict[str, str]) -> None:
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    page = auditor.get("/jobs/").content.decode()
    assert "开始核查" in page and "查看将出具的文书和文号" not in page and "开始整理" not in page
    assert auditor.post("/jobs/", {"kind": "render", "template": "限期复学通知书", "date": "2022-10-14"}
                        ).status_code == 404
    assert not Job.objects.exists()


def test_the_county_audit_is_the_basis_of_the_bureaus_and_the_auditors_dashboards_alike(
        accounts: dict[str, str]) -> None:
    auditor, bureau = client_of(accounts, "青石县人民政府教育督导室"), client_of(accounts, "青石县教育局")
    township = client_of(accounts, "云溪镇")
    assert bureau.get("/").context["o"].basis is None
    job = start(auditor, "audit", **{"audit-date": "2026-12-01"})
    jobs.run_steps(job.pk)
    run = AuditRun.objects.get(job=job)
    assert run.scope == f"青石县全县，案卷 {CaseRecord.objects.count()} 份"  # the cases it covers, not who ran it
    seen = {name: client.get("/").context for name, client in (("auditor", auditor), ("bureau", bureau))}
    assert seen["auditor"]["o"].basis == seen["bureau"]["o"].basis == run  # the same cases, the same audit
    assert seen["bureau"]["o"].total == seen["auditor"]["o"].total and f"#{job.pk} 核查" in bureau.get(
        "/").content.decode()
    assert [r for r, _ in seen["bureau"]["trend"]] == [run]
    assert township.get("/").context["o"].basis is None  # a county audit is not the township's own


def test_two_audits_are_kept_and_compared(accounts: dict[str, str]) -> None:
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    first = start(auditor, "audit", **{"audit-date": "2026-12-01"})
    jobs.run_steps(first.pk)
    # A clerk fixes one gap between the audits: the student QS-2022-003 gets a fifth persuasion.
    record = CaseRecord.objects.get(case_id="QS-2022-003")
    before = AuditRun.objects.get(job=first)
    assert before.gaps > 0 and before.cases == CaseRecord.objects.count()
    from docgen.service.county.changes import add_record
    from docgen.service.county.door import Actor

    persuasions = record.data["persuasions"]
    extra = dict(persuasions[-1], date=(dt.date.fromisoformat(persuasions[-1]["date"]) + dt.timedelta(days=3))
                 .isoformat())
    add_record(Actor("桐林乡", Unit.objects.get(name="桐林乡人民政府")), record, "persuasions", extra)
    second = start(auditor, "audit", **{"audit-date": "2026-12-01"})
    jobs.run_steps(second.pk)
    after = AuditRun.objects.get(job=second)
    listing = auditor.get("/audits/").content.decode()
    assert f"#{first.pk}" in listing and f"#{second.pk}" in listing
    page = auditor.get(f"/audits/compare/{before.pk}/{after.pk}/").content.decode()
    assert "已整改" in page and "QS-2022-003" in page
    assert auditor.get(f"/audits/?before={before.pk}&after={after.pk}").status_code == 302
    assert "QS-2022-003" in auditor.get(f"/audits/{before.pk}/").content.decode()
    assert "QS-2022-003" not in auditor.get(f"/audits/{after.pk}/").content.decode()
    dashboard = auditor.get("/").content.decode()  # the trend: one gap fewer
    assert "核查趋势" in dashboard and "少 1" in dashboard and f"#{second.pk}" in dashboard
    # A school sees only its own audits.
    school = Unit.objects.get(name="桐林乡初级中学")
    assert school.name in accounts
    assert client_of(accounts, school.name).get(f"/audits/{after.pk}/").status_code == 404


def test_the_months_reports_ledgers_and_the_quarters_review(accounts: dict[str, str]) -> None:
    from openpyxl import load_workbook

    school = client_of(accounts, "桐林乡初级中学")
    job = start(school, "monthly", **{"monthly-month": "2022-10"})
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.log
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        names = sorted(bundle.namelist())
        assert names == ["桐林乡初级中学_2022年10月_控辍保学月报表.xlsx",
                         "桐林乡初级中学_疑似辍学和辍学学生台账_截至2022-10-31.xlsx"]
        monthly = load_workbook(io.BytesIO(bundle.read(names[0]))).active
        ledgers = load_workbook(io.BytesIO(bundle.read(names[1])))
    assert monthly["A1"].value == "控辍保学月报表" and "桐林乡初级中学" in monthly["A2"].value
    assert ledgers.sheetnames == ["疑似辍学学生台账", "辍学学生台账"]
    rows = list(ledgers["辍学学生台账"].iter_rows(min_row=4, values_only=True))
    school_cases = CaseRecord.objects.filter(school="桐林乡初级中学").count()
    assert 0 < len(rows) <= school_cases and all(r[4] == "桐林乡初级中学" for r in rows)
    assert all("*" in r[3] for r in rows)  # ID numbers masked
    bureau = client_of(accounts, "青石县教育局")
    job = start(bureau, "monthly", **{"monthly-month": "2022-10"})
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.message.endswith("以及2022年第四季度复核表"), job.message
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        review = load_workbook(io.BytesIO(bundle.read("青石县_2022年第四季度_控辍保学复核表.xlsx")))
        monthly_reports = [n for n in bundle.namelist() if n.endswith("月报表.xlsx")]
        summary = load_workbook(io.BytesIO(bundle.read("青石县_2022年10月_控辍保学月报表（全县汇总）.xlsx")))["月报表"]
        townships = {n.split("_")[0]: load_workbook(io.BytesIO(bundle.read(n)))["月报表"] for n in monthly_reports
                     if n.split("_")[0] in ("云溪镇", "桐林乡")}
    assert review.sheetnames == ["各单位", "未复学学生复核"]
    assert len(monthly_reports) == job.summary["units"] > 4

    def first_total(sheet) -> tuple:  # the category table's 合计 row
        return next(r[1:] for r in sheet.iter_rows(values_only=True) if r[0] == "合计")

    by_township = {r[0]: r[1:] for r in summary.iter_rows(values_only=True) if r[0] in townships}
    county = next(r[1:] for r in summary.iter_rows(values_only=True) if r[0] == "全县合计")
    assert set(by_township) == set(townships) == {"云溪镇", "桐林乡"}
    for name, sheet in townships.items():  # each township's row is that township's own report
        assert by_township[name] == first_total(sheet)
    assert county == first_total(summary) == tuple(map(sum, zip(*by_township.values(), strict=True)))
    assert county[-1] > 0  # students still out at the month's end, counted once
    assert bureau.post("/jobs/", {"kind": "monthly", "monthly-month": "2022-13"}).status_code == 200  # refused
    refused = bureau.post("/jobs/", {"kind": "monthly", "monthly-month": "10月"}).content.decode()
    assert "月份格式应为 2022-10" in refused


def test_an_unknown_kind_is_refused_not_a_500(accounts: dict[str, str]) -> None:
    client = client_of(accounts, "青石县教育局")
    for kind in ("bogus", "", "render2", "__init__"):
        assert client.post("/jobs/", {"kind": kind, "date": "2022-10-14"}).status_code == 404, kind
    assert not Job.objects.exists()
    # a job row of a kind no worker knows (made past the page) fails in words, not with a traceback
    job = Job.objects.create(county="青石县", unit=Unit.objects.get(name="青石县教育局"), kind="bogus", params={},
                             title="x", created_by="青石县教育局")
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "没有这种后台任务" and "Traceback" not in job.log


def test_results_expire_and_each_unit_has_a_quota(accounts: dict[str, str], settings) -> None:
    client = client_of(accounts, "云溪镇")
    job = start(client, "monthly", **{"monthly-month": "2022-10"})
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and jobs.result_path(job) is not None
    settings.JOB_RESULT_DAYS = 30
    assert jobs.expire_results(timezone.now() + dt.timedelta(days=29)) == 0
    assert jobs.expire_results(timezone.now() + dt.timedelta(days=31)) == 1
    job.refresh_from_db()
    assert jobs.result_path(job) is None and not jobs.job_folder(job.pk).exists()
    assert "结果已超过保存期限" in job.message and client.get(f"/jobs/{job.pk}/result/").status_code == 404
    # at most JOB_UNIT_QUEUE jobs of a unit wait at once
    settings.JOB_UNIT_QUEUE = 2
    start(client, "monthly", **{"monthly-month": "2022-10"})
    start(client, "monthly", **{"monthly-month": "2022-10"})
    refused = client.post("/jobs/", {"kind": "monthly", "monthly-month": "2022-10"}, follow=True)
    assert "本单位已有 2 个任务在排队或进行中" in refused.content.decode()
    assert Job.objects.filter(unit__name="云溪镇人民政府").count() == 3
    other = client_of(accounts, "桐林乡")  # another unit's quota is its own
    assert other.post("/jobs/", {"kind": "monthly", "monthly-month": "2022-10"}).status_code == 302
    # results over the unit's quota: its oldest go first when a new job starts
    for waiting in Job.objects.filter(status=Job.Status.QUEUED):
        jobs.run_steps(waiting.pk)
    kept = list(Job.objects.filter(unit__name="云溪镇人民政府").exclude(result_file="").order_by("finished"))
    assert len(kept) == 2
    settings.JOB_UNIT_QUOTA_BYTES = kept[-1].result_size + 1
    start(client, "monthly", **{"monthly-month": "2022-10"})
    assert [jobs.result_path(Job.objects.get(pk=k.pk)) is None for k in kept] == [True, False]


def test_an_internal_error_shows_a_reference_never_a_traceback_or_a_path(accounts: dict[str, str], settings,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from docgen.service.county.jobs import audits

    def broken(run):
        raise FileExistsError(17, "File exists", str(Path(settings.JOB_STORE) / "9" / "evidence" / "a.pdf"))

    monkeypatch.setattr(audits, "run", broken)
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    job = start(auditor, "audit", **{"audit-date": "2026-12-01"})
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    reference = job.message.split("错误编号 ")[1][:8]
    for page in (auditor.get(f"/jobs/{job.pk}/").content.decode(), auditor.get("/jobs/").content.decode(),
                 json.dumps(auditor.get(f"/jobs/{job.pk}/status/").json(), ensure_ascii=False)):
        assert "Traceback" not in page and str(settings.JOB_STORE) not in page and "FileExistsError" not in page
        assert reference in page
    log = (Path(settings.LOG_DIR) / "service.log").read_text(encoding="utf-8")
    assert f"reference {reference}" in log and "FileExistsError" in log

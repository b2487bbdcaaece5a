"""The one guarded door: who is acting (:class:`Actor`) and what they may see and change. Every path that reads
or changes cases — pages and forms, the ledger import, evidence uploads and downloads, document issue, jobs,
management commands — asks here, so each rule is written once, deny by default:

(a) the right to the case: the bureau and auditors see every case of their county, a township the students who
    live in it or study at its schools, a school its own students; auditors only read. A change keeps the case in
    the actor's reach. A case id or an ID number that exists outside it is "another unit's case" (or "a duplicate
    ID number") — never which, and a preview never tells "修改" from "新增" for a case the actor cannot see;
(b) the authority for what it records: a 文号 on a notice only in a series the unit issues (a school its own, a
    township its own government's, the bureau any issuer of its county), and only as a number the register gave
    or — history from paper — at most ``NUMBER_MARGIN`` past the register's last number of that series;
(c) evidence scope: a stored file is reached only through a case the actor sees, and a case names a stored file
    (its SHA-256) only when it already had it or the file was uploaded to it in this very change.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from docgen.cases import Case
from docgen.problems import Problem
from docgen.service.county.actors import (  # noqa: F401  (the door is where callers take who is acting from)
    Actor,
    actor_of,
    client_address,
    command_actor,
    job_actor,
    unit_of_user,
)
from docgen.service.county.cases import check_case, store_case
from docgen.service.county.models import CaseRecord, IssuedNumber, Series, Unit

READERS = Unit.COUNTY_WIDE  # the whole county, to read
WRITERS = (Unit.Kind.BUREAU, Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL)
OTHER_UNITS_CASE = "属于其他单位的案卷"
DUPLICATE_ID = "身份证号与另一个案卷重复"
DUPLICATE_REGISTRY = "学籍号与另一个案卷重复"
UPLOAD_ONLY = "佐证材料的文件只能在案卷页上传，不能在台账或表单中指定已存的文件（SHA-256）"


class NotFound(Http404):
    """Raised when the actor may not see or change what it asks for, or it does not exist: the page answers 404
    and nobody learns which."""


# ---- (a) what an actor sees ------------------------------------------------------------------------------------
def cases(actor: Actor) -> QuerySet[CaseRecord]:
    """The cases the actor may see."""
    kind, county = actor.kind, actor.county
    if not county:
        return CaseRecord.objects.none()
    every = CaseRecord.objects.filter(county=county)
    if kind in READERS:
        return every
    unit = actor.unit
    if kind == Unit.Kind.TOWNSHIP and unit is not None:
        return every.filter(Q(township=unit.township) | Q(school__in=_township_schools(unit)))
    if kind == Unit.Kind.SCHOOL and unit is not None:
        return every.filter(school=unit.name)
    return CaseRecord.objects.none()


def _township_schools(unit: Unit) -> QuerySet:
    return Unit.objects.filter(county=unit.county, kind=Unit.Kind.SCHOOL, township=unit.township).values("name")


def may_edit(actor: Actor) -> bool:
    """Auditors read; the bureau, townships and schools record their work."""
    return actor.kind in WRITERS


def case(actor: Actor, case_id: str) -> CaseRecord:
    """The case, if the actor sees it (NotFound otherwise)."""
    record = cases(actor).filter(case_id=case_id).first()
    if record is None:
        raise NotFound
    return record


def case_to_change(actor: Actor, case_id: str) -> CaseRecord:
    """The case, if the actor may change it (NotFound otherwise: others do not learn that it exists)."""
    if not may_edit(actor):
        raise NotFound
    return case(actor, case_id)


def numbers(actor: Actor) -> QuerySet[IssuedNumber]:
    """The register as far as the unit's own documents go (the bureau and auditors: the county's)."""
    if not actor.county or not actor.kind:
        return IssuedNumber.objects.none()
    every = IssuedNumber.objects.filter(county=actor.county)
    if actor.kind in READERS:
        return every
    return every.filter(case_id__in=cases(actor).values("case_id"))


def in_reach(actor: Actor, data: Mapping[str, Any]) -> str | None:
    """Why the actor may not write case ``data`` (None when it may): it must stay a case of the actor's county
    that the actor sees."""
    if not may_edit(actor):
        return "本单位只能查看，不能修改案卷"
    place = data.get("hukou_place") or {}
    student = data.get("student") or {}
    if not isinstance(place, Mapping) or not isinstance(student, Mapping):
        return None  # the schema check names the shape
    if place.get("county") and place["county"] != actor.county:
        return f"不是本县（{actor.county}）的学生"
    unit = actor.unit
    if actor.kind == Unit.Kind.BUREAU or unit is None:
        return None
    school = student.get("school", "")
    if actor.kind == Unit.Kind.TOWNSHIP:
        ours = place.get("township") == unit.township or _township_schools(unit).filter(name=school).exists()
    else:
        ours = school == unit.name
    return None if ours else f"不是{unit.name}的学生"


# ---- the checks of a write -------------------------------------------------------------------------------------
@dataclass
class Write:
    """One case an actor wants to store: its new data, the stored record it replaces (None: a new case, as far as
    the actor may know) and the files uploaded to it in this change (their SHA-256)."""

    data: Mapping[str, Any]
    where: str  # how problems name the case (the file or page it came from)
    uploads: frozenset[str] = frozenset()
    old: CaseRecord | None = None
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, path: str, message: str) -> None:
        student = self.data.get("student") if isinstance(self.data.get("student"), Mapping) else {}
        self.problems.append(Problem(self.where, path, message, str((student or {}).get("name", ""))))


def check_writes(actor: Actor, writes: Sequence[Write], cases_read: Sequence[Case | None] = ()) -> None:
    """Every rule of the door for each write (problems added to it): the case is the actor's to change, its
    student's ID and registry numbers are nobody else's, its evidence files came to it by upload, and the 文号 it
    records are the actor's to record. ``cases_read``: the checked library case of each write (None for one the
    library refused), for the 文号 rules. Reads only; the caller writes in the same transaction."""
    ids = [w.data.get("case_id") for w in writes]
    stored = {r.case_id: r for r in CaseRecord.objects.filter(county=actor.county, case_id__in=ids)}
    visible = set(cases(actor).filter(case_id__in=ids).values_list("case_id", flat=True))
    for write in writes:
        case_id = write.data.get("case_id")
        write.old = stored.get(case_id)
        why = in_reach(actor, write.data)
        if write.old is not None and case_id not in visible:
            write.refuse("$.case_id", OTHER_UNITS_CASE)
            write.old = None  # nothing of it is compared, shown or kept
            continue
        if why:
            write.refuse("$", why)
            continue
        _check_identity(actor, write)
        _check_evidence(write)
    _check_numbers(actor, writes, cases_read)


def _check_identity(actor: Actor, write: Write) -> None:
    student = write.data.get("student") or {}
    others = CaseRecord.objects.filter(county=actor.county).exclude(case_id=write.data.get("case_id"))
    for key, message in (("id_number", DUPLICATE_ID), ("registry_no", DUPLICATE_REGISTRY)):
        value = student.get(key) if isinstance(student, Mapping) else None
        if isinstance(value, str) and value and others.filter(**{key: value}).exists():
            write.refuse(f"$.student.{key}", message)


def stored_digests(data: Mapping[str, Any] | None) -> set[str]:
    return {e["sha256"] for e in (data or {}).get("evidence", []) or []
            if isinstance(e, Mapping) and isinstance(e.get("sha256"), str)}


def _check_evidence(write: Write) -> None:
    """(c): a case names a stored file only when it had it already or it was uploaded to it now."""
    allowed = stored_digests(write.old.data if write.old is not None else None) | write.uploads
    for i, item in enumerate(write.data.get("evidence", []) or []):
        if isinstance(item, Mapping) and item.get("sha256") and item["sha256"] not in allowed:
            write.refuse(f"$.evidence[{i}].sha256", UPLOAD_ONLY)


# ---- (b) 文号 -----------------------------------------------------------------------------------------------------
@cache
def _numbered_kinds() -> dict[str, Any]:
    """notice kind → the registry's template that numbers it (only numbered ones)."""
    from docgen.render import load_registry

    return {s.notice_kind: s for s in load_registry().templates if s.notice_kind and s.series}


def number_margin() -> int:
    return int(getattr(settings, "NUMBER_MARGIN", 20))


def issues_for(actor: Actor, issuer: str) -> bool:
    """Whether the actor may record numbers of ``issuer``: a school its own, a township its own government's,
    the bureau (and the county's administrator) any issuer of its county."""
    unit = actor.unit
    if actor.kind == Unit.Kind.BUREAU:
        return True
    if unit is None:
        return False
    if actor.kind == Unit.Kind.TOWNSHIP:
        return issuer == f"{unit.township}人民政府"
    return actor.kind == Unit.Kind.SCHOOL and issuer == unit.name


@dataclass(frozen=True)
class _Recorded:
    write: Write
    path: str
    doc_no: str
    key: tuple[str, str, int]
    seq: int


def _check_numbers(actor: Actor, writes: Sequence[Write], cases_read: Sequence[Case | None]) -> None:
    """(b) for every 文号 a write records that its case did not record before."""
    from docgen.render.batch import issuer_code
    from docgen.render.numbers import doc_no_seq, same_document

    history: list[_Recorded] = []
    for write, checked in zip(writes, cases_read, strict=False):
        if checked is None or write.problems:
            continue
        before = {(n.get("kind"), n.get("doc_no")) for n in (write.old.data if write.old else {}).get("notices", [])}
        for i, notice in enumerate(checked.data.get("notices", [])):
            doc_no, kind = notice.get("doc_no"), notice.get("kind")
            spec = _numbered_kinds().get(kind)
            if not doc_no or spec is None or (kind, doc_no) in before:
                continue
            path = f"$.notices[{i}].doc_no"
            known = IssuedNumber.objects.filter(county=actor.county, doc_no=doc_no).first()
            mine = known is not None and same_document((known.case_id, known.template, known.record_key),
                                                       checked.case_id, spec.name, "")
            if mine and known.status != IssuedNumber.Status.VOID:
                continue  # the register gave it to this very document
            issuer, code, _ = issuer_code(spec, checked)
            live = (IssuedNumber.objects.filter(county=actor.county, template=spec.name, case_id=checked.case_id,
                                                record_key="").exclude(status=IssuedNumber.Status.VOID)
                    .values_list("doc_no", flat=True).first())
            if notice.get("issuer") != issuer:
                write.refuse(f"$.notices[{i}].issuer", f"这份{spec.name}应由{issuer}发文")
            elif not issues_for(actor, issuer):
                write.refuse(path, f"本单位不能登记{issuer}的文号")
            elif known is not None:
                write.refuse(path, f"文号 {doc_no} 已作废，不能再用" if known.status == IssuedNumber.Status.VOID
                             else f"文号 {doc_no} 已被另一份文书使用")
            elif live:
                write.refuse(path, f"这份{spec.name}已登记文号 {live}，不能改为 {doc_no}；如登记有误，请先在文号"
                                   "登记簿中作废原文号")
            elif not re.fullmatch(rf"{re.escape(code + spec.series)}〔\d{{4}}〕[1-9]\d{{0,8}}号", doc_no):
                write.refuse(path, f"文号应写成“{code}{spec.series}〔年份〕序号号”，如 {code}{spec.series}〔2022〕3号")
            else:
                year, seq = doc_no_seq(doc_no) or (0, 0)
                history.append(_Recorded(write, path, doc_no, (issuer, spec.series, year), seq))
    margin, last = number_margin(), {}
    for item in sorted(history, key=lambda r: (r.key, r.seq)):
        if item.key not in last:
            issuer, series, year = item.key
            row = Series.objects.filter(county=actor.county, issuer=issuer, series=series, year=year).first()
            last[item.key] = row.last if row else 0
        if item.seq > last[item.key] + margin:
            item.write.refuse(item.path, f"文号 {item.doc_no} 比登记簿中下一个号（第 {last[item.key] + 1} 号）大了 "
                                         f"{margin} 个以上，不能登记；新的文书请在本系统中出具并编号")
        else:
            last[item.key] = max(last[item.key], item.seq)


# ---- evidence (c) -----------------------------------------------------------------------------------------------
def evidence(actor: Actor, case_id: str, evidence_id: str) -> tuple[CaseRecord, dict[str, Any], Path]:
    """A stored evidence file, reached through a case the actor sees (NotFound otherwise)."""
    from docgen.service.county.store import stored_path

    record = case(actor, case_id)
    item = next((e for e in record.data.get("evidence", []) if e.get("id") == evidence_id and e.get("sha256")), None)
    if item is None or not re.fullmatch(r"[0-9a-f]{64}", str(item["sha256"])):
        raise NotFound
    path = stored_path(item["sha256"])
    if not path.is_file():
        raise NotFound
    return record, item, path


# ---- writing -----------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def writing() -> Iterator[None]:
    """One transaction for a change and its audit events. The audit chain's head is locked first, so every
    writing transaction takes its locks in the same order (no deadlock between two of them on PostgreSQL)."""
    from docgen.service.county.audit import lock_chain

    with transaction.atomic():
        lock_chain()
        yield


def save(actor: Actor, data: Mapping[str, Any], *, where: str = "网页", uploads: Iterable[str] = (),
         today: Any = None) -> CaseRecord:
    """The one way a case is stored: the library's checks (as ``docgen validate``), then the door's (see
    :func:`check_writes`), then the store with the register's numbers — all or nothing. DataProblemsError naming
    each refusal."""
    from docgen.errors import DataProblemsError

    write = Write(data, where, frozenset(uploads))
    try:
        with writing():
            checked = check_case(data, where=where, today=today)
            check_writes(actor, [write], [checked])
            if write.problems:
                raise DataProblemsError(write.problems)
            return store_case(checked, actor)
    except IntegrityError as exc:  # another change, at the same moment, took the same id or number first
        raise DataProblemsError([Problem(where, "$", "同时有另一处修改用了相同的案卷编号、身份证号、学籍号或文号，"
                                                     "没有保存；请刷新后重试")]) from exc


def save_case(data: Mapping[str, Any], *, source: str = "网页", today: Any = None) -> CaseRecord:
    """Load ``data`` as the county's administrator would (a command, the demo): through the door, with the
    bureau's rights in the case's county."""
    county = (data.get("hukou_place") or {}).get("county", "") if isinstance(data, Mapping) else ""
    return save(command_actor(str(county), "导入或系统"), data, where=source, today=today)

"""Rules a case must satisfy beyond the schema: ID numbers, school age and the order of dates.

These are facts that cannot be true as written (a reply received before the letter was sent, an ID
whose check digit is wrong). What an inspection archive still lacks — four persuasion records
instead of five, a certificate dated before the persuasion — is not checked here but by the
checklists: such a case is valid data describing an incomplete archive.

Each rule yields ``(json_path_suffix, message)``; the caller prefixes the case's own path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from docgen import idcard
from docgen.cases.model import lookup
from docgen.dates import age_cutoff, full_years, parse_iso

MIN_AGE = 6  # 当年8月31日前年满6周岁 (seed 001)
MAX_AGE = 16  # 适龄儿童少年 6—16周岁 (seeds 000, 002)

# 第二代残疾人证: ID number + category digit + grade digit.
DISABILITY_KIND_DIGIT = {
    "visual": "1", "hearing": "2", "speech": "3", "physical": "4",
    "intellectual": "5", "mental": "6", "multiple": "7",
}

Issue = tuple[str, str]
Rule = Callable[[dict[str, Any], dt.date], Iterator[Issue]]


def _get(obj: Any, *keys: str | int) -> Any:
    """obj[k1][k2]… or None when any step is missing or of the wrong type."""
    return lookup(obj, keys)


def _date(obj: Any, *keys: str | int) -> dt.date | None:
    return parse_iso(_get(obj, *keys))


def _items(obj: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = _get(obj, key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 18 and value[:17].isdigit()


def _id_checks(path: str, value: Any) -> Iterator[Issue]:
    if not _valid_id(value):
        return  # the schema reports the shape
    expected = idcard.check_digit(value[:17])
    if value[17] != expected:
        yield path, f"身份证号校验位错误，应为 {expected}"
    if idcard.birth_date(value) is None:
        yield path, f"身份证号中的出生日期 {value[6:14]} 不存在"


def check_student_id(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    """GB 11643 check digit; the birth date and gender inside the ID agree with the fields."""
    student = _get(case, "student")
    id_number = _get(student, "id_number")
    yield from _id_checks(".student.id_number", id_number)
    if not _valid_id(id_number):
        return
    born_in_id = idcard.birth_date(id_number)
    born = _date(student, "birth_date")
    if born_in_id and born and born_in_id != born:
        yield ".student.birth_date", f"出生日期 {born.isoformat()} 与身份证号中的 {born_in_id.isoformat()} 不一致"
    gender = _get(student, "gender")
    if gender in ("male", "female") and idcard.gender(id_number) != gender:
        in_id = "男" if idcard.gender(id_number) == "male" else "女"
        yield ".student.gender", f"性别与身份证号不一致（身份证号第17位表示{in_id}）"
    registry = _get(student, "registry_no")
    if isinstance(registry, str) and registry.startswith("G") and len(registry) == 19 and registry[1:] != id_number:
        yield ".student.registry_no", f"全国学籍号应为 G 加身份证号（G{id_number}）"


def check_guardian_ids(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    for i, guardian in _items(case, "guardians"):
        yield from _id_checks(f".guardians[{i}].id_number", guardian.get("id_number"))


def check_school_age(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    """6 full years by 31 August of the school year of the dropout (or of today), not past 16."""
    born = _date(case, "student", "birth_date")
    if born is None:
        return
    dropout = _date(case, "situation", "dropout_date")
    if (dropout is None and _get(case, "situation", "dropout_date") is not None) or (dropout and dropout > today):
        return  # an unreadable or future dropout date is reported by the schema; no age can be judged
    day = dropout or today
    if dropout is not None and dropout <= born:
        yield ".situation.dropout_date", f"辍学时间 {dropout.isoformat()} 不晚于出生日期 {born.isoformat()}"
        return
    cutoff = age_cutoff(day)
    age_at_cutoff = full_years(born, cutoff)
    if age_at_cutoff < MIN_AGE:
        yield ".student.birth_date", (
            f"按当年8月31日前年满6周岁计，该生到 {cutoff.isoformat()} 只有 {age_at_cutoff} 周岁，"
            "不是义务教育适龄儿童，请核对出生日期"
        )
    age = full_years(born, day)
    if age > MAX_AGE:
        what = "辍学时" if dropout else "今天"
        yield ".student.birth_date", (
            f"{what}已满 {age} 周岁，超出义务教育适龄范围（6—16周岁），请核对出生日期"
        )


def check_date_order(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    """Dates in the order the facts imply: nothing answers a letter before it was sent."""
    dropout = _date(case, "situation", "dropout_date")
    d = dropout.isoformat() if dropout else ""
    for i, rec in _items(case, "persuasions"):
        day = _date(rec, "date")
        if dropout and day and day < dropout:
            yield f".persuasions[{i}].date", f"劝返日期 {day.isoformat()} 早于辍学时间 {d}"
    for i, notice in _items(case, "notices"):
        issued, deadline, served = _date(notice, "issued_on"), _date(notice, "deadline"), _date(notice, "served_on")
        if dropout and issued and issued < dropout and notice.get("kind") != "enrolment_notice":
            yield f".notices[{i}].issued_on", f"发文日期 {issued.isoformat()} 早于辍学时间 {d}"
        if issued and deadline and deadline <= issued:
            yield f".notices[{i}].deadline", f"限期 {deadline.isoformat()} 应晚于发文日期 {issued.isoformat()}"
        if issued and served and served < issued:
            yield f".notices[{i}].served_on", f"送达日期 {served.isoformat()} 早于发文日期 {issued.isoformat()}"
    for i, letter in _items(case, "letters"):
        sent, received = _date(letter, "sent_on"), _date(letter, "reply", "received_on")
        if sent and received and received < sent:
            yield (f".letters[{i}].reply.received_on",
                   f"收到复函日期 {received.isoformat()} 早于发函日期 {sent.isoformat()}")
    for i, app in _items(case, "applications"):
        applied = _date(app, "applied_on")
        start, end = _date(app, "period_from"), _date(app, "period_to")
        if start and end and end < start:
            yield f".applications[{i}].period_to", f"截止日期 {end.isoformat()} 早于起始日期 {start.isoformat()}"
        for j, approval in _items(app, "approvals"):
            day = _date(approval, "date")
            if applied and day and day < applied:
                yield (f".applications[{i}].approvals[{j}].date",
                       f"审批日期 {day.isoformat()} 早于申请日期 {applied.isoformat()}")
    exam = _date(case, "graduation", "exam_date")
    cert = _date(case, "graduation", "certificate", "issued_on")
    if exam and cert and cert < exam:
        yield ".graduation.certificate.issued_on", f"发证日期 {cert.isoformat()} 早于考试日期 {exam.isoformat()}"
    returned = _date(case, "return_info", "returned_on")
    if dropout and returned and returned < dropout:
        yield ".return_info.returned_on", f"复学日期 {returned.isoformat()} 早于辍学时间 {d}"
    closed = _date(case, "situation", "closed_on")
    if dropout and closed and closed < dropout:
        yield ".situation.closed_on", f"销号日期 {closed.isoformat()} 早于辍学时间 {d}"
    for key, title in (("home_teaching", "送教"), ("remote_teaching", "远程送教")):
        start = _date(case, key, "start_date")
        for i, session in _items(_get(case, key), "sessions"):
            day = _date(session, "date")
            if start and day and day < start:
                yield f".{key}.sessions[{i}].date", f"{title}日期 {day.isoformat()} 早于开始日期 {start.isoformat()}"


def check_status(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    situation = _get(case, "situation")
    if _get(situation, "status") == "closed_out" and not _get(situation, "closed_on"):
        yield ".situation.closed_on", "状态为“已销号”，但缺少销号日期"


def check_disability_number(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    """第二代残疾人证号 = 身份证号 + 类别 + 等级: it must agree with the student and the certificate."""
    cert = _get(case, "disability_certificate")
    number = _get(cert, "number")
    if not isinstance(number, str) or len(number) != 20:
        return
    id_number = _get(case, "student", "id_number")
    if isinstance(id_number, str) and number[:18] != id_number:
        yield ".disability_certificate.number", "残疾证号前18位应与学生身份证号相同"
    kind_digit = DISABILITY_KIND_DIGIT.get(_get(cert, "kind"))
    grade = _get(cert, "grade")
    if kind_digit and number[18] != kind_digit:
        yield ".disability_certificate.number", f"残疾证号第19位表示残疾类别，应为 {kind_digit}"
    if isinstance(grade, int) and number[19] != str(grade):
        yield ".disability_certificate.number", f"残疾证号第20位表示残疾等级，应为 {grade}"


def _evidence_refs(case: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every place a record refers to an evidence id, with its path."""
    def refs(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
        for j, ref in enumerate(_get(obj, "evidence") or []):
            yield f"{path}.evidence[{j}]", ref

    for key in ("persuasions", "notices", "applications", "meetings", "letters", "legal_actions"):
        for i, item in _items(case, key):
            yield from refs(item, f".{key}[{i}]")
            if key == "letters" and isinstance(item.get("reply"), dict):
                yield from refs(item["reply"], f".{key}[{i}].reply")
    if isinstance(case.get("penalty"), dict):
        yield from refs(case["penalty"], ".penalty")
    if isinstance(case.get("leading_group_approval"), dict):
        yield from refs(case["leading_group_approval"], ".leading_group_approval")
    for key in ("home_teaching", "remote_teaching"):
        for i, session in _items(_get(case, key), "sessions"):
            yield from refs(session, f".{key}.sessions[{i}]")


def check_penalty(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    """The party is a guardian and the party's ID is a valid one. (When the decision may be made — after the
    advance notice and the time to state and defend — is the procedure's: ``docgen check`` judges it.)"""
    penalty = _get(case, "penalty")
    if not isinstance(penalty, dict):
        return
    yield from _id_checks(".penalty.party.id_number", _get(penalty, "party", "id_number"))
    party = _get(penalty, "party", "name")
    guardians = [g.get("name") for _, g in _items(case, "guardians")]
    if isinstance(party, str) and guardians and party not in guardians:
        yield ".penalty.party.name", f"当事人“{party}”不是该学生的监护人（{'、'.join(map(str, guardians))}）"


def check_evidence(case: dict[str, Any], today: dt.date) -> Iterator[Issue]:
    """Evidence ids are unique, every reference names one, and no file path leaves the case folder."""
    seen: dict[str, int] = {}
    for i, item in _items(case, "evidence"):
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                yield f".evidence[{i}].id", f"材料编号 {ident} 与第 {seen[ident] + 1} 项重复"
            else:
                seen[ident] = i
        file = item.get("file")
        if isinstance(file, str) and ".." in file.replace("\\", "/").split("/"):
            yield f".evidence[{i}].file", "文件路径不能含“..”，只能指向本案佐证材料目录之内"
    for path, ref in _evidence_refs(case):
        if isinstance(ref, str) and ref not in seen:
            yield path, f"引用的材料编号 {ref} 不在本案“佐证材料”列表中"


RULES: tuple[Rule, ...] = (
    check_student_id,
    check_guardian_ids,
    check_school_age,
    check_date_order,
    check_status,
    check_disability_number,
    check_penalty,
    check_evidence,
)


def check_case(case: dict[str, Any], today: dt.date, shape_ok: bool = True) -> Iterator[Issue]:
    """Every rule's issues for one case.

    The rules read the shapes the schema promises. When the schema already found a wrong shape
    (``shape_ok`` false), a rule that trips over it is skipped: the schema's message says what to fix.
    """
    for rule in RULES:
        try:
            issues = list(rule(case, today))
        except (TypeError, AttributeError, KeyError, IndexError, ValueError):
            if shape_ok:
                raise
            continue
        yield from issues

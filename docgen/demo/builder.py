"""A small builder that writes demo cases the way a township office would record them."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from docgen import idcard
from docgen.cases.model import CaseDraft, lookup
from docgen.cases.schema import case_field
from docgen.demo import county
from docgen.text import village_committee

EVIDENCE_LABELS = case_field(["evidence", "[]", "kind"]).labels
NOTICE_LABELS = case_field(["notices", "[]", "kind"]).labels
# What each application's signed paper is called (a 请示 takes the title of the 请示 docgen generates for it).
APPLICATION_FORMS = {
    "suspension": "休学申请表（学校、教育行政部门签章）", "resumption": "复学申请表（学校、教育行政部门签章）",
    "deferral": "缓学申请表（学校、村、乡镇、县教育局签章）", "exemption": "免学申请表（学校、村、乡镇、县教育局签章）",
    "home_teaching": "送教上门申请表", "remote_teaching": "远程送教请示（签发件）",
    "work_study": "工读学校入学申请表（乡镇、县教育局签章）",
}
LEADING_GROUP = f"{county.COUNTY}扶贫开发工作领导小组"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN_BOY = "浩宇俊杰子轩明宇晨阳志强文博天佑嘉豪梓豪一鸣思远建华家乐"
GIVEN_GIRL = "欣怡雨涵诗琪梓涵思雨佳怡紫萱晓雯雅婷可欣梦瑶语嫣心怡婉清"

PERSUASION_CONTENT = {
    "refused": "宣讲《义务教育法》和控辍保学政策，说明监护人送子女接受义务教育的法定责任；家长和学生表示暂不返校。",
    "undecided": "了解辍学原因，讲解资助政策和返校安排；家长表示再考虑，学生未明确表态。",
    "agreed_return": "再次宣讲法律责任，帮助解决实际困难，学生本人和家长同意返校就读。",
    "agreed_exam": "说明可集中补习完成初中学业并参加毕业考试，学生和家长同意补习并参加毕业考试。",
    "agreed_remote": "研判后提出由专门教师远程送教完成初中学业，学生和家长同意参加老师远程送教。",
    "agreed_home_teaching": "评估学生身体状况，介绍送教上门安排，家长同意送教上门。",
    "agreed_procedure": "说明办理相关手续的条件和程序，家长同意按规定办理。",
}


# 发文字号 series of each notice kind (the part between the issuer's code and the year).
NOTICE_CODES = {"return_order": "限复", "return_notice": "劝复", "penalty_notice": "罚告", "penalty_decision": "罚决",
                "enrolment_notice": "入学"}


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class CaseBuilder:
    """Builds one case dict; every evidence item it names gets a placeholder file unless withheld."""

    def __init__(
        self, rng: random.Random, used: set[str], *, seq: int, category: str, school: str, grade: int,
        gender: str, born: str, village: str, dropout: str, reason: str, status: str,
        flags: tuple[str, ...] = (), class_no: int = 1,
    ) -> None:
        self.rng = rng
        self.town = county.township_of(school)
        self.school = school
        self.dropout = date(dropout)
        self.case_id = f"QS-2022-{seq:03d}"
        name = self._name(used, gender)
        id_number = idcard.with_check_digit(
            f"{county.DIVISION_CODE}{date(born):%Y%m%d}{self._order(seq, gender)}"
        )
        teacher = county.TEACHERS[school][0 if grade % 2 else 1][0]
        self.head_teacher = {"name": teacher, "phone": county.HEAD_TEACHER_PHONES[school]}
        self.case: CaseDraft = {
            "case_id": self.case_id,
            "student": {
                "name": name, "gender": gender, "id_number": id_number, "birth_date": born,
                "ethnicity": "汉族", "registry_no": "G" + id_number, "school": school, "grade": grade,
                "class_name": f"{class_no}班", "head_teacher": dict(self.head_teacher),
            },
            "guardians": self._guardians(name),
            "hukou_place": {
                "province": county.PROVINCE, "city": county.CITY, "county": county.COUNTY,
                "township": self.town.name, "village": village, "group": f"{rng.randint(1, 9)}组",
            },
            "situation": {"category": category, "dropout_date": dropout, "reason": reason, "status": status,
                          "reported_on": (date(dropout) + dt.timedelta(days=7)).isoformat()},
        }
        if flags:
            self.case["flags"] = list(flags)
        self.village = village
        self.withheld: set[str] = set()  # evidence ids named in the case but never supplied (planted gaps)
        self.gaps: list[Any] = []  # stories.Gap items planted in this case
        self._evidence_seq = 0

    # ---- people -------------------------------------------------------------------------------
    def _name(self, used: set[str], gender: str) -> str:
        pool = GIVEN_BOY if gender == "male" else GIVEN_GIRL
        while True:
            i = self.rng.randrange(0, len(pool) // 2) * 2
            name = self.rng.choice(SURNAMES) + pool[i:i + 2]
            if name not in used:
                used.add(name)
                return name

    @staticmethod
    def _order(seq: int, gender: str) -> str:
        order = 100 + seq * 2 + (1 if gender == "male" else 0)
        return f"{order:03d}"

    def _guardians(self, child: str) -> list[dict[str, Any]]:
        surname = child[0]
        father = surname + self.rng.choice(("建国", "永红", "德胜", "春生", "海军", "国华", "明亮"))
        mother_surname = self.rng.choice(SURNAMES.replace(surname, ""))
        mother = mother_surname + self.rng.choice(("秀兰", "桂英", "玉梅", "春花", "小红", "丽娟"))
        return [
            {"name": father, "relation": "father", "phone": self.phone()},
            {"name": mother, "relation": "mother", "phone": self.phone()},
        ]

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**8, 10**9)}"

    def persuaders(self, method: str) -> list[dict[str, str]]:
        name, role = self.town.officer
        people = [
            {"name": name, "unit": self.town.government, "role": role},
            {"name": county.VILLAGE_HEADS[self.village], "unit": village_committee(self.village),
             "role": "社区主任" if self.village.endswith("社区") else "村主任"},
            {"name": self.head_teacher["name"], "unit": self.school, "role": "班主任"},
        ]
        if method == "joint_visit":
            people += [
                {"name": "田志刚", "unit": f"{self.town.name}派出所", "role": "民警"},
                {"name": "韩雪", "unit": f"{self.town.name}司法所", "role": "司法助理员"},
            ]
        return people

    # ---- evidence -----------------------------------------------------------------------------
    def issuer(self, kind: str) -> str | None:
        """Who made a piece of evidence (出具单位, the 责任者 of the archive's index). None for the scans of documents
        docgen generates and for notices' receipts, letters and replies: their issuer is the record's."""
        school, town = self.school, self.town.government
        hospital = lookup(self.case, "diagnosis.hospital")
        made_by = {
            "persuasion_photo": town, "onsite_photo": town, "poverty_proof": town,
            "registry_certificate": school, "school_photo": school, "exam_photo": school, "exam_paper": school,
            "certificate_copy": school, "student_info_sheet": school, "assessment_form": school,
            "teaching_plan": school, "teaching_photo": school, "audio_video": school, "statistics_table": school,
            "session_cover": school, "lesson_plan": school, "screenshot": school, "meeting_minutes": school,
            "work_study_forms": school, "approval_document": county.EDUCATION_BUREAU,
            "disability_certificate": f"{county.COUNTY}残疾人联合会", "leading_group_approval": LEADING_GROUP,
            "diagnosis_certificate": hospital, "inpatient_proof": hospital, "medical_receipt": hospital,
        }
        return made_by.get(kind)

    def ev(self, kind: str, day: str, description: str, ext: str = "jpg", *, withheld: bool = False) -> str:
        """Name one evidence item; ``withheld`` plants a file the case names but nobody supplied."""
        self._evidence_seq += 1
        ident = f"E{self._evidence_seq:03d}"
        file = f"{self._evidence_seq:03d}_{EVIDENCE_LABELS[kind]}_{day.replace('-', '')}.{ext}"
        item = {"id": ident, "kind": kind, "file": file, "date": day, "description": description}
        if self.issuer(kind):
            item["issuer"] = self.issuer(kind)
        self.case.setdefault("evidence", []).append(item)
        if withheld:
            self.withheld.add(ident)
        return ident

    # ---- facts --------------------------------------------------------------------------------
    def persuade(self, day: str, outcome: str, method: str = "home_visit", place: str | None = None) -> None:
        number = len(self.case.get("persuasions", [])) + 1
        record = self.ev("persuasion_record", day, f"第{number}次劝返记录表（签字）", "pdf")
        photo = self.ev("persuasion_photo", day, "劝返现场照片")
        self.case.setdefault("persuasions", []).append({
            "date": day, "method": method, "place": place or f"{self.village}学生家中",
            "participants": self.persuaders(method), "content": PERSUASION_CONTENT[outcome],
            "outcome": outcome, "evidence": [record, photo],
        })

    def persuade_series(self, days: list[str], outcomes: list[str], method: str = "home_visit") -> None:
        for day, outcome in zip(days, outcomes, strict=True):
            self.persuade(day, outcome, method)

    def notice(self, kind: str, issued: str, number: int, *, deadline_days: int | None = 10,
               served: str | None = None, issuer: str | None = None) -> None:
        issuer = issuer or self.town.government
        code = NOTICE_CODES[kind]
        entry: dict[str, Any] = {
            "kind": kind, "doc_no": f"{self.town.doc_prefix}{code}〔{issued[:4]}〕{number}号",
            "issuer": issuer, "issued_on": issued,
        }
        if deadline_days:
            entry["deadline"] = (date(issued) + dt.timedelta(days=deadline_days)).isoformat()
        if served:
            entry["served_on"] = served
            entry["service_method"] = "direct"
            entry["evidence"] = [self.ev("return_order_receipt" if kind == "return_order" else "notice_copy",
                                         served, f"《{NOTICE_LABELS[kind]}》送达回证（受送达人签收）", "pdf")]
        self.case.setdefault("notices", []).append(entry)

    def letter(self, recipient_kind: str, recipient: str, sent: str, number: int, subject: str,
               reply: str | None = None, reply_no: str | None = None) -> None:
        entry: dict[str, Any] = {
            "recipient_kind": recipient_kind, "recipient": recipient, "sender": self.town.government,
            "doc_no": f"{self.town.doc_prefix}函〔{sent[:4]}〕{number}号", "sent_on": sent, "subject": subject,
            "evidence": [self.ev("letter", sent, f"致{recipient}的函", "pdf")],
        }
        if reply:
            entry["reply"] = {"received_on": reply, "issuer": recipient,
                              "summary": "已安排专人核实并协助劝返，将及时反馈。",
                              "evidence": [self.ev("reply_letter", reply, f"{recipient}复函", "pdf")]}
            if reply_no:
                entry["reply"]["doc_no"] = reply_no
        self.case.setdefault("letters", []).append(entry)

    def application(self, kind: str, applied: str, approvals: list[tuple[str, str, str]], evidence_kind: str,
                    period: tuple[str, str] | None = None) -> None:
        guardian = self.case["guardians"][0]["name"]
        entry: dict[str, Any] = {
            "kind": kind, "applied_on": applied, "applicant": guardian,
            "approvals": [{"unit": unit, "level": level, "date": day, "decision": "approved"}
                          for unit, level, day in approvals],
            "evidence": [self.ev(evidence_kind, applied, APPLICATION_FORMS[kind], "pdf")],
        }
        if period:
            entry["period_from"], entry["period_to"] = period
        self.case.setdefault("applications", []).append(entry)

    def teaching(self, key: str, start: str, days: list[dt.date], *, hours: float, subject_cycle: tuple[str, ...],
                 teachers: list[tuple[str, str]], tool: str | None = None, per_session: tuple[str, ...] = ()) -> None:
        """Home or remote teaching sessions on the given days, each with its evidence kinds."""
        block: dict[str, Any] = {"start_date": start, "school": self.school}
        if key == "home_teaching":
            block["place"] = f"{self.village}学生家中"
        else:
            block["tools"] = [tool or "QQ"]
        sessions = []
        for i, day in enumerate(days):
            iso = day.isoformat()
            subject = subject_cycle[i % len(subject_cycle)]
            session: dict[str, Any] = {
                "date": iso, "class_hours": hours,
                "teachers": [{"name": n, "gender": g} for n, g in teachers],
                "subject": subject, "content": f"{subject}：个别化教学第{i + 1}次",
                "evidence": [self.ev(kind, iso, f"第{i + 1}次{'送教' if key == 'home_teaching' else '远程送教'}"
                                     f"{_KIND_WORD[kind]}", _KIND_EXT[kind]) for kind in per_session],
            }
            if tool:
                session["tool"] = tool
            sessions.append(session)
        block["sessions"] = sessions
        self.case[key] = block

    def build(self) -> CaseDraft:
        return self.case


_KIND_WORD = {"teaching_record": "工作记录", "teaching_photo": "照片", "session_cover": "资料封面",
              "lesson_plan": "教案", "screenshot": "截图"}
_KIND_EXT = {"teaching_record": "pdf", "teaching_photo": "jpg", "session_cover": "pdf",
             "lesson_plan": "pdf", "screenshot": "png"}


def weekly(start: dt.date, end: dt.date, weekdays: tuple[int, ...], skip: tuple[dt.date, ...] = ()) -> list[dt.date]:
    """Every given weekday (0 = Monday) in term between start and end, minus holidays and ``skip``."""
    days = []
    day = start
    while day <= end:
        in_term = any(t0 <= day <= t1 for _, t0, t1 in county.TERMS)
        on_holiday = any(h0 <= day <= h1 for h0, h1 in county.HOLIDAYS)
        if day.weekday() in weekdays and in_term and not on_holiday and day not in skip:
            days.append(day)
        day += dt.timedelta(days=1)
    return days

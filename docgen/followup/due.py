"""What must happen next, per case, from the time rules of the seeds — sorted by urgency.

Each action has the day it was due; ``overdue`` is how many days ago that was (negative: still to come).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.dates import parse_iso
from docgen.followup.monthly import FILING_DAY, filing_window
from docgen.specs import SchoolCalendar, Spec

HOME_VISIT_DAYS = 3  # seed 000: 3 days absent → home visit; seed 002: mark suspected dropout
Cites = list[tuple[str, str]]  # (document id in the sources register, passage)
STATEMENT_DAYS = 3  # 陈述、申辩 period when the case's penalty record does not set one
REPORT_DAYS = 7  # seed 002: absent more than a week → written report to the township and the bureau
REPLY_DAYS = 30  # a letter unanswered for this long is chased
# Lawfully placed, not dropped out: leave, deferral or exemption, home teaching, the B4-3 route, a work-study school.
LAWFUL = {"B4-3", "B4-4", "B4-5", "B4-6", "work_study"}


@dataclass(frozen=True)
class Action:
    case_id: str
    student: str
    school: str
    township: str
    action: str
    due: dt.date
    source: str

    def overdue(self, on: dt.date) -> int:
        return (on - self.due).days


def _case_actions(case: dict[str, Any], on: dt.date, calendar: SchoolCalendar) -> list[tuple[str, dt.date, Cites]]:
    situation = case["situation"]
    dropout = parse_iso(situation.get("dropout_date"))
    returned = parse_iso(case.get("return_info", {}).get("returned_on"))
    ended = [d for d in (returned, parse_iso(situation.get("closed_on"))) if d is not None]
    if situation.get("category") in LAWFUL:
        return _home_teaching(case, on, calendar)  # placed lawfully; home teaching goes on after 销号
    if dropout is None or dropout > on or any(d <= on for d in ended):
        return []  # not yet a case on that day, or already back in school or closed out by then
    out = []
    # A family that moved away (流入地) can only be reached by phone or video: any contact counts as the visit.
    methods = None if case.get("inflow_place") else ("home_visit", "joint_visit")
    visits = [d for p in case.get("persuasions", []) if (methods is None or p.get("method") in methods)
              and (d := parse_iso(p.get("date"))) and d <= on]
    if not visits:
        out.append(("家访劝返，并在学籍系统标注“疑似辍学”", dropout + dt.timedelta(days=HOME_VISIT_DAYS),
                     [("tanghe-2022-95", "在校生3日内无故不到校的，学校要及时家访"),
                      ("qingtongxia-2018-49", "无故三天未到校的，标注疑似辍学")]))
    if not situation.get("reported_on"):
        out.append(("书面报告乡镇人民政府和教育局，学籍系统标注辍学", dropout + dt.timedelta(days=REPORT_DAYS),
                     [("qingtongxia-2018-49", "对无故离校超过一个星期的，由学校及时书面报告各镇和教育局")]))
    notices = {n.get("kind"): n for n in case.get("notices", [])
               if (issued := parse_iso(n.get("issued_on"))) and issued <= on}
    order, advance = notices.get("return_order"), notices.get("penalty_notice")
    penalty = notices.get("penalty_decision")
    order_deadline = parse_iso((order or {}).get("deadline"))
    penalty_deadline = parse_iso((penalty or {}).get("deadline"))
    if order_deadline and order_deadline < on and not advance and not penalty:
        out.append(("限期复学期满仍未复学：送达行政处罚事先告知书（拟处罚的事实、理由、依据，陈述、申辩权）",
                     order_deadline + dt.timedelta(days=1),
                     [("district-2022-plan", "四步法——宣传教育、责令改正、行政处罚、提起诉讼或申请强制执行"),
                      ("xzcff-2021", "第四十四条")]))
    told = parse_iso((advance or {}).get("served_on")) or parse_iso((advance or {}).get("issued_on"))
    if told and not penalty:
        days = (case.get("penalty") or {}).get("statement_days") or STATEMENT_DAYS
        out.append(("陈述、申辩期满：复核当事人的陈述、申辩，作出行政处罚决定书", told + dt.timedelta(days=days + 1),
                     [("district-2022-plan", "四步法——行政处罚"), ("xzcff-2021", "第四十五条、第五十七条")]))
    legal = [a for a in case.get("legal_actions", []) if (d := parse_iso(a.get("date"))) and d <= on]
    if penalty_deadline and penalty_deadline < on and not legal:
        out.append(("行政处罚后仍未复学：提起诉讼或申请强制执行", penalty_deadline + dt.timedelta(days=1),
                     [("district-2022-plan", "四步法——提起诉讼或申请强制执行")]))
    for letter in case.get("letters", []):
        sent = parse_iso(letter.get("sent_on"))
        reply = parse_iso(letter.get("reply", {}).get("received_on"))
        if sent and sent <= on and not (reply and reply <= on):
            out.append((f"催办复函：{letter.get('sent_on')} 致{letter.get('recipient', '')}的函尚无复函",
                        sent + dt.timedelta(days=REPLY_DAYS), [("xianyi-2022-56", "辖区政府去函和流入地政府回函")]))
    return out + _home_teaching(case, on, calendar)


def _home_teaching(case: dict[str, Any], on: dt.date, calendar: SchoolCalendar) -> list[tuple[str, dt.date, Cites]]:
    """The last complete teaching week before ``on`` must have had a home-teaching session."""
    teaching = case.get("home_teaching")
    start = parse_iso((teaching or {}).get("start_date"))
    if not start or start > on:
        return []
    held = [d for s in teaching.get("sessions", []) if (d := parse_iso(s.get("date")))]
    weeks = [w for w in calendar.teaching_weeks(start, on) if w[1] < on]
    if weeks and not any(weeks[-1][0] <= d <= weeks[-1][1] for d in held):
        monday, sunday = weeks[-1]
        return [(f"补送教：{monday.isoformat()} 至 {sunday.isoformat()} 当周没有送教记录", sunday,
                 [("xianyi-2022-56", "从2019年6月后标准是每周一次，每次2学时")])]
    return []


def _cite(spec: Spec, cites: Cites) -> str:
    """``唐河县教育体育局教基〔2022〕95号：“…”；…`` — each document as the sources register names it."""
    sources = [spec.sources.cite({"doc": doc, "passage": passage}, "待办清单", Path(__file__))
               for doc, passage in cites]
    return "；".join(f"{s.document.short}：“{s.passage}”" for s in sources)


def due_actions(cases: list[dict[str, Any]], on: dt.date, spec: Spec) -> list[Action]:
    """Every action due or coming for open cases, most overdue first; plus the monthly report of each township."""
    actions = []
    for case in cases:
        student = case["student"]
        for text, due, cites in _case_actions(case, on, spec.calendar):
            actions.append(Action(case["case_id"], student["name"], student["school"],
                                  case["hukou_place"]["township"], text, due, _cite(spec, cites)))
    # The report owed next: last month's until the 20th, this month's after it.
    month = on.replace(day=1) if on.day > FILING_DAY else (on.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    _, due = filing_window(month)
    for township in sorted({c["hukou_place"]["township"] for c in cases}):
        text = f"报送{month.year}年{month.month}月控辍保学月报表（盖章、填报人签名；无辍学也要零报告）"
        cites = [("tanghe-2022-95", "每月20日前将月报表加盖公章，填报人签名"),
                 ("district-2022-plan", "无失学辍学情况实行零报告制")]
        actions.append(Action("", "", "", township, text, due, _cite(spec, cites)))
    return sorted(actions, key=lambda a: (a.due, a.township, a.school, a.student))

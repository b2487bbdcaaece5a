"""What must happen next, per case, sorted by urgency — the procedure's owed steps seen forward in time, the
teaching cadence of the checklists, and each township's monthly report.

Nothing here states a time limit of its own: a step's window comes from ``procedure/steps.yaml`` and a teaching
cadence from the checklists, the same rules ``docgen check`` applies to the archive, so an action overdue here
is a step the audit reports late or missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from docgen.cases import Case
from docgen.cases.match import NotApplicable, render
from docgen.check.kinds import KINDS, Context
from docgen.followup.monthly import FILING_DAY, filing_window
from docgen.problems import Source
from docgen.procedure import owed_steps
from docgen.specs import Spec


@dataclass(frozen=True)
class Action:
    """One thing to do: for a case (or, with no case, a township's report), by ``due``, with its basis."""

    case_id: str
    student: str
    school: str
    township: str
    action: str
    due: dt.date
    source: str
    template: str = ""  # the document the step produces (the case page offers it), "" when none

    def overdue(self, on: dt.date) -> int:
        """Days past due (negative: still to come)."""
        return (on - self.due).days


def cite(source: Source) -> str:
    """``唐河县教育体育局教基〔2022〕95号：“…”`` — the document as the sources register names it, and the passage."""
    return f"{source.document.short}：“{source.passage}”"


def _cadence_actions(case: Case, on: dt.date, spec: Spec) -> list[tuple[str, dt.date, Source]]:
    """The last complete teaching week before ``on`` must have had its sessions (送教上门, 远程送教)."""
    ctx = Context(case.data, on, spec.calendar)
    out = []
    for rule in spec.checklists.rules_for(case.category):
        if rule.kind != "cadence":
            continue
        try:
            failures = KINDS["cadence"](rule.params, ctx)
        except NotApplicable:
            continue
        weeks = [w for w in spec.calendar.teaching_weeks(on - dt.timedelta(days=14), on) if w[1] < on]
        if not weeks:
            continue
        last = weeks[-1][0].isoformat()
        for failure in failures:
            if failure.details["week_start"] == last:
                text = "补送教：" + render(rule.message, failure.details, case.data, [])
                out.append((text, dt.date.fromisoformat(failure.details["week_end"]), rule.source))
    return out


def due_actions(cases: Sequence[Case], on: dt.date, spec: Spec) -> list[Action]:
    """Every action due or coming for open cases, most overdue first; plus the monthly report of each township."""
    actions = []
    for case in cases:
        owed = [(o.text, o.due, o.source, o.step.produces) for o in owed_steps(case, spec.procedure, on)]
        owed += [(text, due, source, "") for text, due, source in _cadence_actions(case, on, spec)]
        for text, due, source, template in owed:
            actions.append(Action(case.case_id, case.name, case.school, case.township, text, due, cite(source),
                                  template))
    # The report owed next: last month's until the 20th, this month's after it.
    month = on.replace(day=1) if on.day > FILING_DAY else (on.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    _, due = filing_window(month)
    filing = spec.sources.cite({"doc": "tanghe-2022-95", "passage": "每月20日前将月报表加盖公章，填报人签名"},
                               "待办清单", spec.sources.path)
    zero = spec.sources.cite({"doc": "district-2022-plan", "passage": "无失学辍学情况实行零报告制"},
                             "待办清单", spec.sources.path)
    for township in sorted({c.township for c in cases}):
        text = f"报送{month.year}年{month.month}月控辍保学月报表（盖章、填报人签名；无辍学也要零报告）"
        actions.append(Action("", "", "", township, text, due, f"{cite(filing)}；{cite(zero)}"))
    return sorted(actions, key=lambda a: (a.due, a.township, a.school, a.student))

"""The procedure seen forward in time: what a case owes next (the due list and the service's 待办), which
documents it may be issued now and by whom, and the date a document takes.

The same steps and time rules as the audit (:mod:`docgen.procedure.audit`): a step overdue here is a step the
audit reports late or missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.cases import Case
from docgen.cases.match import render
from docgen.problems import Problem, Source
from docgen.procedure.audit import owed
from docgen.procedure.timeline import Occurrence, Timeline
from docgen.specs.procedure import Procedure, Step, Timing


@dataclass(frozen=True)
class Owed:
    """A step a case owes: what to do, from when, by when, and why (the passage)."""

    step: Step
    text: str
    first: dt.date
    due: dt.date
    place: str
    source: Source


def owed_steps(case: Case, procedure: Procedure, on: dt.date) -> list[Owed]:
    """Every required step the case owes and has not taken, for an open case (none once it is resolved)."""
    timeline = Timeline(case, procedure, as_of=on)
    if not timeline.open_on(on):
        return []
    out = []
    for step in timeline.steps:
        for place, first, due, parent in owed(timeline, step):
            text = render(step.due or step.title, {}, parent or {}, [])
            out.append(Owed(step, text, first, due, place, step.source))
    return out


@dataclass(frozen=True)
class NextStep:
    """A document the procedure allows for the case now, or says why not yet."""

    step: Step
    template: str
    first: dt.date | None  # the first day it may be dated (None: no lower limit)
    last: dt.date | None  # the last day it may be dated (None: no upper limit)
    taken: Occurrence | None  # already recorded: issuing again keeps its number and date
    blocked: str  # why it cannot be issued yet ("" when it can)
    owed: bool  # the case owes this step now (it is on the due list)


def next_steps(case: Case, procedure: Procedure, on: dt.date) -> list[NextStep]:
    """The document-producing steps of the case's category, each with its window or why it must wait."""
    timeline = Timeline(case, procedure)
    owed_now = {o.step.id for o in owed_steps(case, procedure, on)}
    out = []
    for step in timeline.steps:
        if not step.produces:
            continue
        taken = timeline.chosen(step)
        first, last, blocked = _window(timeline, step)
        out.append(NextStep(step, step.produces, first, last, taken[0] if taken else None, blocked,
                            step.id in owed_now))
    return out


def binding(timing: Timing) -> bool:
    """Whether a time rule bars a date (so a document may not carry it): every "not before" rule, and a "not after"
    rule that is an error — a legal window. A "not after" warning is a target (a home visit within a week): a step
    taken late is still to be taken, and the audit reports the lateness."""
    return timing.direction == "not_before" or timing.severity == "error"


def _window(timeline: Timeline, step: Step) -> tuple[dt.date | None, dt.date | None, str]:
    first = last = None
    for timing in step.timing:
        if not binding(timing):
            continue
        bound = timeline.limit(timing.bound, timing.direction)
        if bound is None:
            if timing.bound.required:
                labels = "或".join(timeline.point_label(p) for p in timing.bound.points)
                return None, None, f"应先有{labels}"
            continue
        if timing.direction == "not_before":
            first = max(first, bound[1]) if first else bound[1]
        else:
            last = min(last, bound[1]) if last else bound[1]
    return first, last, ""


@dataclass(frozen=True)
class Dated:
    """The date a document takes and where it came from (for the clerk: which date was taken and why)."""

    date: dt.date
    origin: str  # "recorded" (the case records the step), "step" (the step it goes with), "chosen" (the clerk/today)
    problems: tuple[Problem, ...]


def document_date(case: Case, procedure: Procedure, template: str, chosen: dt.date,
                  record_date: dt.date | None = None, *, fixed: bool = False) -> Dated:
    """The 成文日期 of ``template`` for ``case``: what the case records for its step; else the date of the step it
    goes with (unless ``fixed``: a person chose ``chosen`` for this one document, and it is never replaced); else
    ``chosen`` (the clerk's date, or today) — refused with the reason and the passage when the procedure does not
    allow it. A template no step produces takes its record's date, else ``chosen``."""
    step = procedure.producing(template)
    if step is None:
        return Dated(record_date or chosen, "recorded" if record_date else "chosen", ())
    timeline = Timeline(case, procedure)
    taken = timeline.chosen(step)
    if taken:
        return Dated(taken[0].date, "recorded", ())
    if not fixed and step.default_date is not None and (day := timeline.point(step.default_date)) is not None:
        return Dated(day, "step", ())
    return Dated(chosen, "chosen", tuple(date_problems(case, timeline, step, chosen)))


def date_problems(case: Case, timeline: Timeline, step: Step, day: dt.date) -> list[Problem]:
    """Why ``day`` cannot be this step's date: before what must come first, after a window closed."""
    out = []
    name = step.produces or step.title
    for timing in step.timing:
        if not binding(timing):
            continue
        bound = timeline.limit(timing.bound, timing.direction)
        label = "或".join(f"“{timeline.point_label(p)}”" for p in timing.bound.points)
        if bound is None:
            if timing.bound.required:
                message = f"出具{name}之前应先有{label}，案卷中没有记载"
                out.append(Problem(case.file, case.path, message, case.label, id=timing.id, source=timing.source))
            continue
        start, limit = bound
        if timing.direction == "not_before" and day < limit:
            what = f"早于程序允许的 {limit.isoformat()}（{label}：{start.isoformat()}）"
        elif timing.direction == "not_after" and day > limit:
            what = f"已过期限 {limit.isoformat()}（从{label} {start.isoformat()} 起算）"
        else:
            continue
        out.append(Problem(case.file, case.path, f"{name}的成文日期 {day.isoformat()} {what}。依据：{timing.source}",
                           case.label, id=timing.id, source=timing.source))
    return out

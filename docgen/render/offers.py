"""Which documents a case may be issued now, by which body, dated when — or why not: the procedure's next steps
joined with the template registry. The service's case page and its batch jobs offer exactly these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from docgen.cases import Case
from docgen.cases.match import matches
from docgen.procedure import NextStep, document_date, next_steps
from docgen.render.batch import Job, missing_fields, missing_unit_settings
from docgen.render.context import Issuing
from docgen.render.registry import Registry, TemplateSpec

# The bodies that issue a template no step of the procedure produces, by the registry's issuer; the county bureau
# may issue every document of its county.
ISSUER_KINDS = {"township": ("township",), "bureau": ("bureau",), "school": ("school", "special_school")}
SUPERVISOR = "bureau"


@dataclass(frozen=True)
class Offer:
    """One document the procedure allows for a case now — or why it cannot be issued (``reason``)."""

    template: str
    title: str  # the step it is issued by (or the template's name)
    takers: tuple[str, ...]  # the kinds of body that may issue it
    owed: bool  # the case owes this step now (it is on the due list)
    first: dt.date | None  # earliest 成文日期 the procedure allows
    last: dt.date | None  # latest
    date: dt.date  # the date it takes by default (recorded, the step it goes with, or today)
    recorded: bool  # the case records it already: issuing again keeps its number and date
    reason: str  # why this body cannot issue it now ("" when it can)
    numbered: bool = True  # it takes a 文号 from the register

    @property
    def available(self) -> bool:
        return not self.reason


def takers(spec: TemplateSpec) -> tuple[str, ...]:
    """The kinds of body that may issue ``spec``: the step's actors (or the registry's issuer) and the bureau."""
    kinds = spec.step.actor.kinds if spec.step is not None and spec.step.actor and spec.step.actor.kinds else ()
    base = kinds or ISSUER_KINDS.get(spec.issuer, ())
    return tuple(dict.fromkeys([*base, SUPERVISOR]))


def offers(case: Case, registry: Registry, bodies: Collection[str], on: dt.date,
           issuing: Issuing | None = None) -> list[Offer]:
    """Every one-per-case document of the registry that applies to ``case``, for a body of kind ``bodies``
    (``issuing``: the county's settings, whose missing signer or phone makes a document unavailable too)."""
    steps = {n.template: n for n in next_steps(case, registry.procedure, on)} if registry.procedure else {}
    out = []
    for spec in registry.templates:
        if spec.source != "cases" or spec.per or case.category not in spec.applies_to:
            continue
        if spec.where and not matches(case.data, dict(spec.where), case.data):
            continue
        out.append(_offer(case, spec, steps.get(spec.name), bodies, on, issuing))
    return out


def _offer(case: Case, spec: TemplateSpec, step: NextStep | None, bodies: Collection[str], on: dt.date,
           issuing: Issuing | None) -> Offer:
    who = takers(spec)
    labels = "、".join(dict.fromkeys(_label(spec, k) for k in who if k != SUPERVISOR)) or "县教育局"
    reason = ""
    if not set(who) & set(bodies):
        reason = f"这一步由{labels}办理"
    elif step is not None and step.blocked:
        reason = step.blocked
    else:
        missing = missing_fields(spec, [Job(case, None, None)])
        unset = missing_unit_settings(spec, [Job(case, None, None)], issuing)
        if missing:
            reason = "案卷还缺：" + "、".join(p.message.split("需要“", 1)[-1].split("”", 1)[0] for p in missing)
        elif unset:
            reason = "；".join(p.message for p in unset)
        elif step is not None and step.taken is None and step.last is not None and step.last < on:
            reason = f"已过办理期限（最迟 {step.last.isoformat()}）"
    date = on
    if spec.procedure is not None and spec.step is not None:
        date = document_date(case, spec.procedure, spec.name, on).date
    return Offer(spec.name, step.step.title if step else spec.name, who, bool(step and step.owed),
                 step.first if step else None, step.last if step else None, date,
                 bool(step and step.taken), reason, numbered=bool(spec.series))


def _label(spec: TemplateSpec, kind: str) -> str:
    if spec.procedure is not None:
        return spec.procedure.bodies.label(kind)
    return kind

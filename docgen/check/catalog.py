"""Every finding the audit can report, in one list: the checklists' rules, the procedure's rules, the unit-archive
checks, a case whose data does not pass and a measure no longer in force — each with its severity, what it means
and where it comes from. ``docgen rules`` prints it; the coverage table (``procedure/coverage.yaml``) may name no
other rule."""

from __future__ import annotations

from dataclasses import dataclass

from docgen.check.engine import INACTIVE_MESSAGE, INACTIVE_RULE, INVALID_RULE, INVALID_SOURCE
from docgen.check.institutions import UNIT_RULES
from docgen.problems import Source
from docgen.procedure.coverage import Coverage, load_coverage
from docgen.specs import Spec
from docgen.specs.procedure import APPROVAL_RULE, EVIDENCE_ISSUER_RULE

KINDS = {"checklist": "核查规则", "procedure": "程序", "unit": "单位档案", "case": "案卷数据", "inventory": "档案清单"}
# What the two procedure rules that are not steps mean (the audit words each finding from the case's own data).
APPROVAL_MESSAGE = "审批意见以某一级的名义签章的单位，应是这一级的机关或单位（如县教委一级应由教育局签章）"
EVIDENCE_ISSUER_MESSAGE = "佐证材料写明的出具单位，应是能出具这类材料的机关或单位（如诊断证明应由医院出具）"
INVALID_MESSAGE = "案卷数据有误，未能核查（docgen validate 的检查：格式、身份证号、适龄6—16周岁、日期先后等）"


@dataclass(frozen=True)
class RuleInfo:
    """One rule as an auditor reads it: ``kind`` is a key of KINDS, ``message`` its wording (with the placeholders
    the finding fills in), ``sources`` the passages it rests on."""

    id: str
    kind: str
    severity: str
    message: str
    sources: tuple[Source, ...]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _procedure_rules(spec: Spec) -> list[RuleInfo]:
    """The procedure's rules in the order of ``Procedure.rule_ids`` (the ids the audit reports), each described by
    the step that holds it."""
    procedure = spec.procedure
    known: dict[str, RuleInfo] = {}
    for step in procedure.steps:
        if step.actor is not None:
            a = step.actor
            known[a.id] = RuleInfo(a.id, "procedure", a.severity, a.message, (a.source,))
        known.update((t.id, RuleInfo(t.id, "procedure", t.severity, t.message, (t.source,))) for t in step.timing)
        message = f"{step.title}应在 {{due}} 前办理，案卷中没有记载（{step.due or step.title}）"
        known[f"{step.id}.missing"] = RuleInfo(f"{step.id}.missing", "procedure", "error", message, (step.source,))
    approval_source = procedure.step("deferral-approval").source  # the one the audit cites
    issuers = tuple(dict.fromkeys(source for _, source in procedure.bodies.evidence_issuers.values()))
    known[APPROVAL_RULE] = RuleInfo(APPROVAL_RULE, "procedure", "error", APPROVAL_MESSAGE, (approval_source,))
    known[EVIDENCE_ISSUER_RULE] = RuleInfo(EVIDENCE_ISSUER_RULE, "procedure", "error", EVIDENCE_ISSUER_MESSAGE,
                                           issuers)
    return [known.get(rule_id) or RuleInfo(rule_id, "procedure", "error", "", ()) for rule_id in procedure.rule_ids]


def _unit_rules(spec: Spec) -> list[RuleInfo]:
    out = []
    for rule in UNIT_RULES:
        item = spec.inventory.get(rule.item) if rule.item else None
        source = item.source if item is not None else spec.inventory.source
        out.append(RuleInfo(rule.id, "unit", "error", rule.message, (source,)))
    return out


def rule_catalog(spec: Spec) -> list[RuleInfo]:
    """Every rule of the county's spec: checklists (file order), procedure (step order), unit archives, then the
    case-data and inactive-measure findings."""
    rules = [RuleInfo(r.id, "checklist", r.severity, r.message, (r.source,)) for r in spec.checklists.all_rules]
    rules += _procedure_rules(spec)
    rules += _unit_rules(spec)
    rules.append(RuleInfo(INVALID_RULE, "case", "error", INVALID_MESSAGE, (INVALID_SOURCE,)))
    inactive = [item for item in spec.inventory.walk() if not item.active]
    message = INACTIVE_MESSAGE.format(reason="、".join(i.inactive_reason for i in inactive) or "…")
    rules.append(RuleInfo(INACTIVE_RULE, "inventory", "info", message, tuple(i.source for i in inactive)))
    return rules


def default_coverage(spec: Spec) -> Coverage:
    """The coverage table of the spec's procedure folder, checked against every rule the spec and the audit have."""
    return load_coverage(spec.procedure.folder, spec.sources, [r.id for r in rule_catalog(spec)])

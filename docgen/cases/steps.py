"""Where a case stands in the four steps of seed 001: 宣传教育, 责令改正, 行政处罚, 提起诉讼或申请强制执行."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STEPS = {"education": "宣传教育", "order": "责令改正", "penalty": "行政处罚", "enforcement": "诉讼或强制执行"}


def legal_step(case: Mapping[str, Any]) -> str:
    """The furthest step the case's notices and legal actions record (``education`` when none)."""
    kinds = {n.get("kind") for n in case.get("notices", [])}
    if case.get("legal_actions") or "enforcement_application" in kinds:
        return "enforcement"
    if kinds & {"penalty_notice", "penalty_decision"}:
        return "penalty"
    if "return_order" in kinds:
        return "order"
    return "education"

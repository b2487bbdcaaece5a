"""Minors' data shown to the letter of the law: ID numbers masked wherever the service writes them — pages, job
messages, previews, logs — including numbers typed into free text; names masked in reports about cases a job
could not do; issued documents carry full ID numbers only when the template says the document legally needs
them (``full_ids`` in the template registry: a decision names its party in full, 行政处罚法 Art. 59)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from docgen.cases import Case, thaw
from docgen.idcard import mask_id
from docgen.problems import Problem
from docgen.render.registry import TemplateSpec

_ID_PREFIX = re.compile(r"^[0-9]{17}[0-9Xx]")
# An ID number as typed: 18 characters, an old 15-digit one, one a digit short or long (a typo is still a
# person's number), or one inside a 残疾证号 or after a registry number's G: the first six and the last four stay.
# Not a run of digits inside a hexadecimal word (a SHA-256 shown on a page stays whole).
_ID_LIKE = re.compile(r"(?<![0-9A-Fa-f])([0-9]{6})[0-9]{5,10}([0-9]{3}[0-9Xx])(?![0-9A-Fa-f])")
# An absolute path on the server (/srv/青石县/jobs/12/work/…): a page shows its last part only.
_SERVER_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/：:，,；;）)」\"']+/)+([^\s/：:，,；;）)」\"']*)")


def mask_name(name: str) -> str:
    """周子涵 → 周*涵, 李明 → 李*: who it is for those who know, not for others."""
    name = str(name or "")
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def masked(text: str) -> str:
    """``text`` with every ID number in it masked (also inside a registry number, and one typed a digit short or
    long, or an old 15-digit one)."""
    return _ID_LIKE.sub(lambda m: m[1] + "*" * (len(m[0]) - 10) + m[2], str(text))


def for_page(text: str) -> str:
    """``text`` as a page may show it: ID numbers masked and server paths cut to the file's name."""
    return _SERVER_PATH.sub(r"\1", masked(text))


_JSON_KEY = re.compile(r"”（[A-Za-z_][A-Za-z0-9_]*）")


def masked_problem(problem: Problem) -> Problem:
    """A problem as a page shows it: ID numbers in its message and label masked, and without the JSON keys the
    command line adds for people who edit case files (“监护人”（guardians） → “监护人”)."""
    return Problem(problem.file, problem.path, _JSON_KEY.sub("”", masked(problem.message)), masked(problem.case),
                   problem.severity, problem.id)


def _mask_value(key: str, value: Any, keep_ids: bool) -> Any:
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v, keep_ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(key, v, keep_ids) for v in value]
    if not isinstance(value, str):
        return value
    if key == "id_number":
        return value if keep_ids else mask_id(value)
    if key == "number" and _ID_PREFIX.match(value):  # a 残疾证号 starts with its holder's ID number
        return value if keep_ids else mask_id(value[:18]) + value[18:]
    return masked(value)


def for_template(spec: TemplateSpec, case: Case) -> Case:
    """The case as ``spec``'s document may show it: ID numbers masked, unless the template is registered with
    ``full_ids`` (then its ID fields stay whole); numbers typed into free text are masked either way."""
    return Case(_mask_value("", thaw(case.data), spec.full_ids), case.file, case.path)

"""Stage one's boundary: read case files, check every case, hand on checked read-only cases.

Every command (and the web service) gets its cases here. A case that fails the schema or a rule
of ``validate`` is not handed on as a :class:`Case`: commands that produce documents refuse to run
(the problems printed as ``validate`` prints them, nothing written), ``check`` reports it as a
finding of its own. Text that Word and Excel cannot hold is made safe here once, with a warning,
so no later stage meets it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.cases.loader import json_type, read_json_file
from docgen.cases.model import Case, FrozenDict, FrozenList, freeze, lookup, raw_case_label
from docgen.cases.validate import case_index, case_problems, envelope_problems, json_path
from docgen.errors import DataProblemsError, InputError
from docgen.problems import Problem
from docgen.text import forbidden_names, has_forbidden, has_surrogate, xml_safe

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Rejected:
    """A case that did not pass: where it was read, who it is about, and why."""

    file: str
    path: str
    label: str
    case_id: str
    data: Any
    problems: tuple[Problem, ...]


@dataclass
class LoadedCases:
    """What the loader read: checked cases, rejected ones, and every problem in file order."""

    files: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def case_count(self) -> int:
        return len(self.cases) + len(self.rejected)

    def checked(self) -> list[Case]:
        """The cases, when every one passed; DataProblemsError with every error otherwise."""
        if self.errors:
            raise DataProblemsError(self.errors)
        return self.cases

    @property
    def file_errors(self) -> list[Problem]:
        """Errors of a file itself (a batch envelope that is not one), not of any one case in it."""
        return [p for p in self.errors if not any(p.file == r.file and _inside(p.path, r.path) for r in self.rejected)]

    def counties(self) -> list[str]:
        return sorted({c.county for c in self.cases} - {""})


def _inside(path: str, prefix: str) -> bool:
    """Whether JSON path ``path`` is ``prefix`` or below it (``$.cases[1]`` does not hold ``$.cases[10]``)."""
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def case_entries(name: str, data: Any) -> list[tuple[str, Any]]:
    if not isinstance(data, dict):
        raise InputError(
            name, f"不是案卷文件：顶层应为一个案卷对象 {{…}} 或含 \"cases\" 列表的批量对象，实际是{json_type(data)}")
    if "cases" not in data:
        return [("$", data)]
    cases = data["cases"]
    return [(f"$.cases[{i}]", c) for i, c in enumerate(cases)] if isinstance(cases, list) else []


def _safe_text(value: Any, parts: list[str | int], found: list[tuple[list[str | int], str, bool]]) -> Any:
    """A frozen copy with XML-safe text; ``found`` collects (path, characters, is_surrogate) per bad string."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            parts.append(k)
            out[k] = _safe_text(v, parts, found)
            parts.pop()
        return FrozenDict(out)
    if isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            parts.append(i)
            items.append(_safe_text(v, parts, found))
            parts.pop()
        return FrozenList(items)
    if isinstance(value, str) and has_forbidden(value):
        surrogate = has_surrogate(value)
        found.append((list(parts), forbidden_names(value), surrogate))
        return xml_safe(_SURROGATE.sub("\ufffd", value))
    return value


def _text_problems(name: str, prefix: str, label: str,
                   found: Iterable[tuple[list[str | int], str, bool]]) -> list[Problem]:
    out = []
    for parts, chars, surrogate in found:
        path = prefix + json_path(parts)[1:]
        if surrogate:
            out.append(Problem(name, path, f"含有无效的 Unicode 字符（{chars}，半个代理对），请重新录入这一项", label,
                               id="text.surrogate"))
        else:
            message = f"含有 Word 和 Excel 不能保存的控制字符（{chars}）：出具文书时 U+000B 换成换行，其余删去"
            out.append(Problem(name, path, message, label, severity="warning", id="text.control"))
    return out


# Values two cases may never share: the same case id, 学籍号, ID number, or a 文号 recorded twice.
_UNIQUE = (
    ("案卷编号", lambda c: [("case_id", lookup(c, "case_id"))]),
    ("学籍号", lambda c: [("student.registry_no", lookup(c, "student.registry_no"))]),
    ("身份证号", lambda c: [("student.id_number", lookup(c, "student.id_number"))]),
    ("文号", lambda c: [(f"{key}[{i}].doc_no", item.get("doc_no"))
                       for key in ("notices", "letters") for i, item in enumerate(lookup(c, key) or [])
                       if isinstance(item, dict)]),
)


@dataclass(frozen=True)
class CheckedCase:
    """One case after the per-case checks: the case (None when an error rejects it), its problems, and the
    values no other case may share (title, JSON path, value) for :class:`DuplicateFinder`."""

    file: str
    path: str
    label: str
    case: Case | None
    rejected: Rejected | None
    problems: tuple[Problem, ...]
    unique: tuple[tuple[str, str, str], ...]


# In JSON text a character XML cannot hold is written as an escape (\u000b, \b, \f) or is U+FFFE / U+FFFF.
_ESCAPES = ("\\u", "\\b", "\\f")


def may_hold_forbidden(text: str) -> bool:
    """Whether case JSON text may hold a character XML cannot hold. Plain substring searches (a regex
    alternation took 85 µs on a 10 kB case); a search for one character is the quickest, and most cases have
    no backslash at all (the three escapes took 25 µs, the backslash alone 1 µs)."""
    return "\ufffe" in text or "\uffff" in text or ("\\" in text and any(mark in text for mark in _ESCAPES))


def check_one(name: str, prefix: str, data: Any, today: dt.date, clean: bool = False) -> CheckedCase:
    """Every check of one case that does not need the others (all but duplicates). ``clean``: the case's JSON
    text was seen to hold no character XML forbids (see may_hold_forbidden), so it need not be searched."""
    found: list[tuple[list[str | int], str, bool]] = []
    # Every later step, messages included, sees printable text.
    # Clean data parsed frozen (parse_json_text(frozen=True)) holds nothing but frozen containers already.
    safe = data if clean and isinstance(data, FrozenDict) else freeze(data) if clean else _safe_text(data, [], found)
    label = raw_case_label(safe)
    if not isinstance(safe, dict):
        return CheckedCase(name, prefix, label, None, Rejected(name, prefix, label, "", safe, ()), (), ())
    problems = _text_problems(name, prefix, label, found) + case_problems(name, prefix, safe, label, today)
    unique = tuple((title, f"{prefix}.{suffix}", value) for title, values in _UNIQUE for suffix, value in values(safe)
                   if isinstance(value, str) and value)
    return _settle(name, prefix, label, safe, tuple(problems), unique)


def _settle(name: str, prefix: str, label: str, data: Any, problems: tuple[Problem, ...],
            unique: tuple[tuple[str, str, str], ...]) -> CheckedCase:
    if any(p.is_error for p in problems):
        case_id = data.get("case_id")
        rejected = Rejected(name, prefix, label, case_id if isinstance(case_id, str) else "", data, problems)
        return CheckedCase(name, prefix, label, None, rejected, problems, unique)
    return CheckedCase(name, prefix, label, Case(data, name, prefix), None, problems, unique)


def with_problems(checked: CheckedCase, extra: Sequence[Problem]) -> CheckedCase:
    """``checked`` with more problems (found across cases), rejected if one of them is an error."""
    data = checked.case.data if checked.case is not None else checked.rejected.data
    return _settle(checked.file, checked.path, checked.label, data, checked.problems + tuple(extra), checked.unique)


class DuplicateFinder:
    """Values two cases may never share, seen case by case: a problem on the second holder of each."""

    def __init__(self) -> None:
        # title → value → (file, JSON path) of its first holder; one dict a title, no key tuple per value
        # (a batch of 100,000 cases holds 300,000 values)
        self.first: dict[str, dict[str, tuple[str, str]]] = {}

    def problems(self, checked: CheckedCase) -> list[Problem]:
        out = []
        for title, path, value in checked.unique:
            holders = self.first.get(title)
            if holders is None:
                holders = self.first[title] = {}
            other = holders.get(value)
            if other is None:
                holders[value] = (checked.file, path)
                continue
            other_file, other_path = other
            where = other_path if other_file == checked.file else f"{other_file} {other_path}"
            out.append(Problem(checked.file, path, f"{title} {value} 与 {where} 重复", checked.label, id="duplicate"))
        return out


def load_data(sources: Sequence[tuple[str, Any]], today: dt.date | None = None) -> LoadedCases:
    """Check parsed case data (``(file name, JSON)`` pairs) and build the checked cases."""
    today = today or dt.date.today()
    loaded = LoadedCases()
    duplicates = DuplicateFinder()
    for name, data in sources:
        loaded.files.append(name)
        own = envelope_problems(name, data, today) if isinstance(data, dict) and "cases" in data else []
        for prefix, case in case_entries(name, data):
            checked = check_one(name, prefix, case, today)
            extra = duplicates.problems(checked)
            if extra:
                checked = with_problems(checked, extra)
            own.extend(checked.problems)
            if checked.case is not None:
                loaded.cases.append(checked.case)
            else:
                loaded.rejected.append(checked.rejected)
        own.sort(key=lambda p: case_index(p.path))  # stable: a case's own problems keep their order
        loaded.problems.extend(own)
    return loaded


def load_cases(paths: Sequence[str | Path], today: dt.date | None = None) -> LoadedCases:
    """Read and check case files; InputError (exit 2) for a file that cannot be used at all."""
    return load_data([(str(p), read_case_json(p)) for p in paths], today)


def read_case_json(path: str | Path) -> Any:
    """Parse one case file (InputError when it cannot be used at all)."""
    data = read_json_file(path, "案卷文件", empty="文件是空的，没有任何案卷")
    case_entries(str(path), data)  # refuse what is not a case file before anything else
    return data


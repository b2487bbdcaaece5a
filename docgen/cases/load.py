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
from docgen.cases.model import Case, FrozenDict, FrozenList, lookup, raw_case_label
from docgen.cases.validate import case_index, case_problems, envelope_problems, json_path
from docgen.errors import DataProblemsError, InputError
from docgen.problems import Problem
from docgen.text import forbidden_names, has_forbidden, has_surrogate, xml_safe

_SURROGATE = re.compile("[\ud800-\udfff]")
_CASE_PREFIX = re.compile(r"^\$\.cases\[\d+\]")


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


def _entries(name: str, data: Any) -> list[tuple[str, Any]]:
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


def _duplicate_problems(entries: Sequence[tuple[str, str, str, Any]]) -> list[Problem]:
    """(file, path, label, data) per case → a problem on the second holder of each shared value."""
    problems = []
    for title, values in _UNIQUE:
        first: dict[str, tuple[str, str]] = {}
        for file, prefix, label, data in entries:
            if not isinstance(data, dict):
                continue
            for suffix, value in values(data):
                if not isinstance(value, str) or not value:
                    continue
                path = f"{prefix}.{suffix}"
                if value in first:
                    other_file, other_path = first[value]
                    where = other_path if other_file == file else f"{other_file} {other_path}"
                    problems.append(Problem(file, path, f"{title} {value} 与 {where} 重复", label, id="duplicate"))
                else:
                    first[value] = (file, path)
    return problems


def load_data(sources: Sequence[tuple[str, Any]], today: dt.date | None = None) -> LoadedCases:
    """Check parsed case data (``(file name, JSON)`` pairs) and build the checked cases."""
    today = today or dt.date.today()
    loaded = LoadedCases()
    entries: list[tuple[str, str, str, Any]] = []
    texts: dict[tuple[str, str], list[tuple[list[str | int], str, bool]]] = {}
    for name, data in sources:
        loaded.files.append(name)
        if isinstance(data, dict) and "cases" in data:
            loaded.problems.extend(envelope_problems(name, data, today))
        for prefix, case in _entries(name, data):
            found: list[tuple[list[str | int], str, bool]] = []
            safe = _safe_text(case, [], found)  # every later step, messages included, sees printable text
            entries.append((name, prefix, raw_case_label(safe), safe))
            texts[name, prefix] = found
    per_case: dict[tuple[str, str], list[Problem]] = {}
    for name, prefix, label, case in entries:
        if not isinstance(case, dict):
            continue  # the envelope reported it
        problems = _text_problems(name, prefix, label, texts[name, prefix])
        problems += case_problems(name, prefix, case, label, today)
        per_case[name, prefix] = problems
    for problem in _duplicate_problems(entries):
        m = _CASE_PREFIX.match(problem.path)
        per_case.setdefault((problem.file, m[0] if m else "$"), []).append(problem)
    by_file: dict[str, list[Problem]] = {}
    for name, prefix, label, case in entries:
        problems = per_case.get((name, prefix), [])
        by_file.setdefault(name, []).extend(problems)
        if not isinstance(case, dict) or any(p.is_error for p in problems):
            case_id = case.get("case_id") if isinstance(case, dict) else None
            loaded.rejected.append(Rejected(name, prefix, label, case_id if isinstance(case_id, str) else "", case,
                                            tuple(problems)))
        else:
            loaded.cases.append(Case(case, name, prefix))
    file_level = loaded.problems
    loaded.problems = []
    for name in loaded.files:
        own = [p for p in file_level if p.file == name] + by_file.get(name, [])
        own.sort(key=lambda p: case_index(p.path))  # stable: a case's own problems keep their order
        loaded.problems.extend(own)
    return loaded


def load_cases(paths: Sequence[str | Path], today: dt.date | None = None) -> LoadedCases:
    """Read and check case files; InputError (exit 2) for a file that cannot be used at all."""
    return load_data([(str(p), read_case_json(p)) for p in paths], today)


def read_case_json(path: str | Path) -> Any:
    """Parse one case file (InputError when it cannot be used at all)."""
    data = read_json_file(path, "案卷文件", empty="文件是空的，没有任何案卷")
    _entries(str(path), data)  # refuse what is not a case file before anything else
    return data


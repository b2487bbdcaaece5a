"""The case schema: the single source of field names, Chinese titles and enumeration labels.

Validation, the ledger mapping and (later) the template check all ask this module what a field is
called and what values it takes, so a field is defined once, in ``data/case.schema.json``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker

from docgen.dates import parse_iso
from docgen.resources import data_json

SCHEMA_FILE = "case.schema.json"

# Keywords that a property node may set next to its $ref and that override the referenced ones.
_OVERRIDES = ("title", "x-message", "description")


@cache
def case_schema() -> dict[str, Any]:
    """The case schema as parsed from the package (tests check it against the 2020-12 meta-schema)."""
    return data_json(SCHEMA_FILE)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its local ``$ref`` followed; keywords beside the ref win."""
    merged: dict[str, Any] = {}
    while "$ref" in node:
        for key in _OVERRIDES:
            if key in node and key not in merged:
                merged[key] = node[key]
        ref = node["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"only local $defs references are supported: {ref}")
        node = case_schema()["$defs"][ref.removeprefix("#/$defs/")]
    result = dict(node)
    result.update(merged)
    return result


@dataclass(frozen=True)
class Field:
    """What the schema says about one place in a case: its node, Chinese title and labels."""

    node: dict[str, Any]

    @property
    def title(self) -> str:
        return self.node.get("title", "")

    @property
    def labels(self) -> dict[str, str]:
        """Code → Chinese label for an enumeration (empty when the field is not one)."""
        return self.node.get("x-labels", {})

    @property
    def kind(self) -> str:
        """One of: enum, date, planned_date, string, integer, number, boolean, object, array."""
        if "enum" in self.node:
            return "enum"
        fmt = self.node.get("format")
        if fmt == "date":
            return "date"
        if fmt == "planned-date":
            return "planned_date"
        return self.node.get("type", "string")

    def child(self, part: str | int) -> Field | None:
        """The field one step down: a property name, or an int / '[]' for the items of a list."""
        if isinstance(part, int) or part == "[]":
            items = self.node.get("items")
            return Field(_resolve(items)) if isinstance(items, dict) else None
        props = self.node.get("properties", {})
        return Field(_resolve(props[part])) if part in props else None


def case_field(parts: list[str | int] | tuple[str | int, ...] = ()) -> Field | None:
    """The field of a single case at ``parts`` (``('student', 'id_number')``), or None if no such field."""
    return _case_field(tuple("[]" if isinstance(p, int) else p for p in parts))


@lru_cache(maxsize=4096)
def _case_field(parts: tuple[str, ...]) -> Field | None:
    if not parts:
        return Field(_resolve({"$ref": "#/$defs/case"}))
    parent = _case_field(parts[:-1])
    return parent.child(parts[-1]) if parent is not None else None


_PATH_PART = re.compile(r"([^.\[\]]+)|\[\]")


def split_dotted(path: str) -> list[str]:
    """``'persuasions[].participants'`` → ``['persuasions', '[]', 'participants']``."""
    return [m.group(1) or "[]" for m in _PATH_PART.finditer(path)]


def iter_leaf_paths(field: Field | None = None, prefix: str = "") -> Iterator[str]:
    """Every dotted path to a scalar, enum or list-of-scalars field of a case ('[]' marks list items)."""
    field = field or case_field()
    assert field is not None
    if field.kind == "object":
        for name in field.node.get("properties", {}):
            child = field.child(name)
            assert child is not None
            yield from iter_leaf_paths(child, f"{prefix}.{name}" if prefix else name)
    elif field.kind == "array":
        item = field.child("[]")
        if item is not None and item.kind in ("object", "array"):
            yield from iter_leaf_paths(item, f"{prefix}[]")
        else:
            yield prefix
    else:
        yield prefix


@dataclass(frozen=True)
class CaseValidators:
    """The validators for case files as of one day (no date may be later than ``today``).

    ``fast_case`` (jsonschema-rs, compiled) only says yes or no; ``case`` is the reference validator that
    lists every error. A case the fast one accepts has no schema errors, so the slow one runs only
    on cases with something to report. (The fast one may refuse a little more — its ``$`` does not
    allow a final line break — so a refused case the reference finds no error in counts as valid.)
    """

    envelope: Draft202012Validator
    case: Draft202012Validator
    fast_case: Callable[[Any], bool]


@lru_cache(maxsize=8)
def case_validators(today: dt.date) -> CaseValidators:
    """The validators for ``today``, built once per day per process."""
    schema = case_schema()

    def past_date(value: object) -> bool:
        day = _real_date(value)
        if day is not None and day > today:
            raise ValueError(f"日期 {value} 晚于今天（{today.isoformat()}），不能是将来的日期")
        return True

    def any_date(value: object) -> bool:
        _real_date(value)
        return True

    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(past_date)
    checker.checks("planned-date", raises=ValueError)(any_date)

    defs = schema["$defs"]
    batch = copy.deepcopy(defs["batch"])
    batch["properties"]["cases"]["items"] = {"type": "object", "title": "案卷"}
    envelope = Draft202012Validator({**batch, "$defs": defs}, format_checker=checker)
    case = Draft202012Validator({"$ref": "#/$defs/case", "$defs": defs}, format_checker=checker)

    def accepts(check: Callable[[object], bool]) -> Callable[[object], bool]:
        def fmt(value: object) -> bool:
            try:
                return check(value)
            except ValueError:
                return False
        return fmt

    fast_case = jsonschema_rs.validator_for(
        {"$schema": schema["$schema"], "$ref": "#/$defs/case", "$defs": _python_classes(defs)},
        formats={"date": accepts(past_date), "planned-date": accepts(any_date)},
        validate_formats=True,
    ).is_valid

    return CaseValidators(envelope, case, fast_case)


# What Python's \s matches in text (every such character is below U+3001); the Rust engine's \s leaves
# out U+001C–U+001F, so the fast validator is given the class spelt out and accepts no more than the reference.
_PY_SPACE = "".join(f"\\x{{{c:x}}}" for c in range(0x3001) if chr(c).isspace())


def _python_classes(node: Any) -> Any:
    """A copy of schema ``node`` whose patterns spell out Python's ``\\s`` and ``\\S`` for the Rust engine."""
    if isinstance(node, dict):
        return {k: _spelt(v) if k == "pattern" else _python_classes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_python_classes(v) for v in node]
    return node


def _spelt(pattern: str) -> str:
    out, in_class, i = [], False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            if pair == "\\s":
                out.append(_PY_SPACE if in_class else f"[{_PY_SPACE}]")
            elif pair == "\\S" and not in_class:
                out.append(f"[^{_PY_SPACE}]")
            elif pair == "\\S":
                raise ValueError(f"pattern {pattern!r}: \\S inside a class has no spelt-out form here")
            else:
                out.append(pair)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _real_date(value: object) -> dt.date | None:
    """The date, None when the shape is wrong (the pattern reports that); ValueError for no such day."""
    if not isinstance(value, str) or not _DATE_SHAPE.fullmatch(value):
        return None
    day = parse_iso(value)
    if day is None:
        raise ValueError(f"日期 {value} 不存在")
    return day


_PLACE_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def path_parts(path: str) -> list[str | int]:
    """The keys and indexes of a JSON path into a case: ``$.letters[0].sent_on`` → ``["letters", 0, "sent_on"]``.
    The path may start at the case (``$.``) or at a case inside a file (``$.cases[3].``)."""
    text = path.split("$", 1)[-1]
    if text.startswith(".cases["):
        text = text[text.index("]") + 1:]
    return [int(index) if index else key for key, index in _PLACE_PART.findall(text)]


def place_label(path: str) -> str:
    """A JSON path of a case as a person reads it: ``$.letters[0].sent_on`` → ``去函（第1条）的发文日期``.

    Parts the schema does not know are left out rather than shown as code."""
    parts: list[str | int] = []
    words: list[str] = []
    for part in path_parts(path):
        parts.append(part)
        if isinstance(part, int):
            if words:
                words[-1] += f"（第{part + 1}条）"
            continue
        found = case_field(parts)
        if found is None:
            break
        if found.title:
            words.append(found.title)
    return "的".join(words)

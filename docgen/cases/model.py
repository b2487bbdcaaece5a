"""The checked case every later stage receives: read-only data with the accessors the stages need.

A :class:`Case` is made only by the loader (``docgen.cases.load``) after the schema and every rule
of ``validate`` passed, so a stage may rely on what the schema requires (a ``student`` object with a
name, a ``situation`` with a category) without defensive ``.get(…, {})`` chains. The data is frozen:
a stage that wants to change a value makes its own copy (``thaw``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NoReturn

from docgen.dates import parse_iso

CaseDraft = dict[str, Any]
"""Case JSON not yet checked: being read from a ledger, built by the demo, or taken in by the service. Only the
loader (``docgen.cases.load``) turns it into a :class:`Case`; no later stage takes a draft."""

CaseData = Mapping[str, Any]
"""A case as data, for a stage that reads it field by field (through :func:`lookup`, which reads a :class:`Case`'s
own data and dicts): a checked :class:`Case`, or a dict copy of its data made for output (masked for an export)."""


class FrozenDict(dict):
    """A dict that refuses changes, so a checked case cannot be altered by one stage behind another's back."""

    __slots__ = ()

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        raise TypeError("checked case data is read-only; copy it with docgen.cases.model.thaw()")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return thaw(self)

    def __copy__(self) -> dict[str, Any]:
        return dict(self)


class FrozenList(list):
    """A list that refuses changes (see :class:`FrozenDict`)."""

    __slots__ = ()

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        raise TypeError("checked case data is read-only; copy it with docgen.cases.model.thaw()")

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = reverse = _refuse  # type: ignore[assignment]
    __iadd__ = __imul__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return thaw(self)

    def __copy__(self) -> list[Any]:
        return list(self)


def freeze(value: Any) -> Any:
    """A read-only copy of parsed JSON (dicts and lists become their frozen kinds)."""
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, mutable deep copy of (frozen) JSON data."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value


def lookup(obj: Any, path: str | Sequence[str | int]) -> Any:
    """``obj['a']['b'][0]`` for ``'a.b'`` or ``('a', 'b', 0)``; None when a step is missing or of the wrong type.

    The one way every stage reads a nested value of case data.
    """
    parts = path.split(".") if isinstance(path, str) else path
    if isinstance(obj, Case):
        obj = obj.data
    for part in parts:
        if isinstance(part, int):
            if not isinstance(obj, list) or not -len(obj) <= part < len(obj):
                return None
            obj = obj[part]
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def records(obj: Any, path: str | Sequence[str | int]) -> list[tuple[int, dict[str, Any]]]:
    """The objects of the list at ``path`` with their index (entries that are not objects are left out)."""
    value = lookup(obj, path)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def person_label(name: str, registry_no: str) -> str:
    """How a person recognises a student in a message: ``张三(G430527…)``."""
    if name and registry_no:
        return f"{name}({registry_no})"
    return name or registry_no


def raw_case_label(data: object) -> str:
    """The label of case data that may not be valid yet (for messages about an invalid case)."""
    name = lookup(data, "student.name")
    registry = lookup(data, "student.registry_no")
    label = person_label(name if isinstance(name, str) else "", registry if isinstance(registry, str) else "")
    if label:
        return label
    case_id = lookup(data, "case_id")
    return case_id if isinstance(case_id, str) else ""


class Case(Mapping[str, Any]):
    """One checked case (一生一案), read-only.

    It is a mapping over the frozen JSON, so rule engines and templates walk it as data; the
    properties name what stages ask for most. ``file`` and ``path`` say where it was read.
    """

    __slots__ = ("_data", "file", "path")

    def __init__(self, data: Mapping[str, Any], file: str, path: str) -> None:
        self._data: FrozenDict = data if isinstance(data, FrozenDict) else freeze(data)
        self.file = file
        self.path = path

    # Mapping protocol over the frozen data.
    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Case({self.case_id!r}, {self.file!r}, {self.path!r})"

    @property
    def data(self) -> FrozenDict:
        """The whole case as frozen JSON (a dict, for code that needs one)."""
        return self._data

    def get_path(self, path: str | Sequence[str | int]) -> Any:
        """The value at a dotted path (``'situation.dropout_date'``), or None."""
        return lookup(self._data, path)

    def date(self, path: str | Sequence[str | int]) -> dt.date | None:
        """The date at a dotted path, or None when absent."""
        return parse_iso(lookup(self._data, path))

    def records(self, path: str | Sequence[str | int]) -> list[tuple[int, dict[str, Any]]]:
        """The objects of a list field with their index."""
        return records(self._data, path)

    @property
    def case_id(self) -> str:
        return self._data["case_id"]

    @property
    def student(self) -> Mapping[str, Any]:
        return self._data["student"]

    @property
    def name(self) -> str:
        return self._data["student"]["name"]

    @property
    def registry_no(self) -> str:
        return self._data["student"].get("registry_no", "")

    @property
    def id_number(self) -> str:
        return self._data["student"].get("id_number", "")

    @property
    def school(self) -> str:
        return self._data["student"].get("school", "")

    @property
    def county(self) -> str:
        return self._data["hukou_place"].get("county", "")

    @property
    def township(self) -> str:
        return self._data["hukou_place"].get("township", "")

    @property
    def village(self) -> str:
        return self._data["hukou_place"].get("village", "")

    @property
    def category(self) -> str:
        return self._data["situation"]["category"]

    @property
    def status(self) -> str:
        return self._data["situation"].get("status", "")

    @property
    def step(self) -> str:
        """The legal step the case says it is at (``situation.step``), or empty."""
        return self._data["situation"].get("step", "")

    @property
    def dropout_date(self) -> dt.date | None:
        return parse_iso(self._data["situation"].get("dropout_date"))

    @property
    def reported_on(self) -> dt.date | None:
        return parse_iso(self._data["situation"].get("reported_on"))

    @property
    def closed_on(self) -> dt.date | None:
        """The day the case was closed (销号), or None while open."""
        return parse_iso(self._data["situation"].get("closed_on"))

    @property
    def returned_on(self) -> dt.date | None:
        """The day the student went back to school (``return_info.returned_on``), or None."""
        return parse_iso(lookup(self._data, "return_info.returned_on"))

    @property
    def label(self) -> str:
        """The student as a person recognises them: ``张三(G430527…)``."""
        return person_label(self.name, self.registry_no)

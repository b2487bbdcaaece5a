"""The case schema as the single source of field names, titles and labels."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from docgen.cases.schema import case_field, case_schema, iter_leaf_paths, split_dotted


def test_schema_is_valid_2020_12() -> None:
    Draft202012Validator.check_schema(case_schema())


def test_every_category_of_the_inventory_is_modelled() -> None:
    category = case_field(["situation", "category"])
    assert category is not None
    assert category.node["enum"] == [f"B4-{i}" for i in range(1, 10)] + ["work_study"]
    assert set(category.labels) == set(category.node["enum"])


def test_every_enumeration_has_a_chinese_label_for_each_code() -> None:
    for path in iter_leaf_paths():
        field = case_field(split_dotted(path))
        assert field is not None, path
        if field.kind == "array":
            field = field.child("[]")
        assert field is not None
        if field.kind == "enum":
            assert set(field.labels) == set(field.node["enum"]), path


def test_every_leaf_field_has_a_chinese_title() -> None:
    untitled = [p for p in iter_leaf_paths() if not case_field(split_dotted(p)).title]
    assert untitled == []


def test_field_lookup_follows_refs_and_keeps_local_titles() -> None:
    name = case_field(["student", "head_teacher", "name"])
    assert name is not None and name.title == "姓名" and name.kind == "string"
    assert case_field(["persuasions", "[]", "date"]).kind == "date"
    assert case_field(["notices", "[]", "deadline"]).kind == "planned_date"
    assert case_field(["student", "no_such_field"]) is None


def _mutations() -> list[tuple[str, object]]:
    """Edits of a valid case that probe where two validators could disagree."""
    return [
        ("student.grade", True), ("student.grade", 5.0), ("student.grade", "5"), ("student.grade", 10),
        ("student.name", "  "), ("student.name", ""), ("student.gender", "男"), ("student.extra", 1),
        ("student.birth_date", "2012-02-30"), ("student.birth_date", "2012-3-15"), ("student.birth_date", "2031-01-01"),
        ("notices.0.deadline", "2031-01-01"), ("notices.0.doc_no", "云政限复〔22〕1号"),
        ("persuasions.0.evidence", ["E001", "E001"]), ("persuasions.0.participants", []),
        ("guardians", {}), ("evidence.0.file", "/etc/passwd"), ("flags", ["registered_poor", "registered_poor"]),
        ("situation.category", None),
        # whitespace the two regex engines class differently (Python's \\s holds U+001C–U+001F, Rust's not)
        ("student.name", "\x1c"), ("student.name", "\u3000"), ("student.name", "\x1f测试"), ("student.name", "\x85"),
        ("notices.0.doc_no", "云政限复〔2022〕\x1e1号"), ("notices.0.doc_no", "云政限复〔2022〕\u30001号"),
        ("student.name", "测试\n"), ("notices.0.doc_no", "云政限复〔2022〕1号\n"),
    ]


def test_fast_check_never_accepts_what_jsonschema_rejects() -> None:
    import copy
    import datetime as dt
    import json

    from conftest import FIXTURES

    from docgen.cases.schema import case_validators

    validators = case_validators(dt.date(2026, 11, 23))
    base = json.loads((FIXTURES / "cases" / "valid-minimal.json").read_text(encoding="utf-8"))
    assert validators.fast_case(base) and not list(validators.case.iter_errors(base))
    rejected = 0
    for path, value in _mutations():
        case = copy.deepcopy(base)
        *parents, last = path.split(".")
        target = case
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
        errors = list(validators.case.iter_errors(case))
        if validators.fast_case(case):
            assert errors == [], (path, value)
        else:
            rejected += 1
    assert rejected >= len(_mutations()) - 4  # 5.0 is an integer to both; a future deadline is allowed; ...


def test_spelt_out_space_class_is_pythons_whole_class() -> None:
    import jsonschema_rs

    from docgen.cases.schema import _PY_SPACE, _spelt

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    spaces = {ch for ch in chars if re.fullmatch(r"\s", ch)}
    assert max(spaces) < "\u3001" and _PY_SPACE.count("\\x{") == len(spaces)
    # the spelt-out classes, run by the Rust engine, match exactly what Python's \s and \S match
    space = jsonschema_rs.validator_for({"type": "string", "pattern": _spelt(r"^\s$")}).is_valid
    other = jsonschema_rs.validator_for({"type": "string", "pattern": _spelt(r"^\S$")}).is_valid
    assert {ch for ch in chars if space(ch)} == spaces
    assert {ch for ch in chars if other(ch)} == set(chars) - spaces
    assert _spelt(r"^[^\s]\S*[\sa]$").count(_PY_SPACE) == 3


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(["student.name", "situation.reason", "notices.0.doc_no", "guardians.0.phone"]),
       st.text(alphabet=st.characters(max_codepoint=0x3010, exclude_categories=("Cs",)), max_size=8))
def test_fast_check_agrees_on_any_short_text(path: str, text: str) -> None:
    import datetime as dt
    import json

    from conftest import FIXTURES

    from docgen.cases.schema import case_validators

    validators = case_validators(dt.date(2026, 11, 23))
    case = json.loads((FIXTURES / "cases" / "valid-minimal.json").read_text(encoding="utf-8"))
    *parents, last = path.split(".")
    target = case
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = text
    if validators.fast_case(case):
        assert list(validators.case.iter_errors(case)) == [], (path, text)

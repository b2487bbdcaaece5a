"""The case schema as the single source of field names, titles and labels."""

from __future__ import annotations

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

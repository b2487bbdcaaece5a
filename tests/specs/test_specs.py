"""The inventory and checklists as data: complete, validated, and clear about a county's mistakes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docgen.errors import SpecError
from docgen.specs import DEFAULT_CHECKLIST_DIR, DEFAULT_SPEC_DIR, load_spec


def test_inventory_holds_every_item_of_seed_004() -> None:
    inventory = load_spec().inventory
    codes = [item.code for item in inventory.walk()]
    assert codes == (["A3B1", "A3B2"] + [f"B2-{i}" for i in range(1, 8)] + ["A3B3"]
                     + [f"B3-{i}" for i in range(1, 4)] + ["A3B4"] + [f"B4-{i}" for i in range(1, 10)])
    b43 = inventory.get("B4-3")
    assert b43 is not None and not b43.active and "乡村振兴局" in b43.inactive_reason
    assert all(inventory.get(f"B4-{i}").per_student for i in range(1, 10))
    assert inventory.get("B3-2").keepers == ("township", "village", "primary")
    assert all(item.source.document.doc_no == "咸宜府发〔2022〕56号" for item in inventory.walk())


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    spec, checklists = tmp_path / "spec", tmp_path / "checklists"
    shutil.copytree(DEFAULT_SPEC_DIR, spec)
    shutil.copytree(DEFAULT_CHECKLIST_DIR, checklists)
    return spec, checklists


def test_a_county_copy_loads_from_its_own_folders(tmp_path: Path) -> None:
    spec, checklists = _copy(tmp_path)
    (checklists / "B4-1.yaml").write_text(
        (checklists / "B4-1.yaml").read_text(encoding="utf-8").replace("缺少学籍证明", "本县要求：缺少学籍证明"),
        encoding="utf-8",
    )
    loaded = load_spec(spec, checklists)
    assert loaded.checklists.rule("b4-1.registry-certificate").message == "本县要求：缺少学籍证明"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("checklists/B4-1.yaml", "kinds: [school_photo]", "kinds: [school_photos]",
         "规则 b4-1.school-photo：佐证材料种类 school_photos 不在案卷格式中"),
        ("checklists/common.yaml", "list: persuasions\n    min: 5", "list: persuasion\n    min: 5",
         "规则 persuasion.five：案卷格式中没有字段 persuasion"),
        ("checklists/B4-2.yaml", "month_of: graduation.exam_date", "month_of: graduation.result",
         "规则 b4-2.not-in-exam-month：graduation.result 不是日期字段"),
        ("checklists/B4-1.yaml", "applies_to: [B4-1]", "applies_to: [B4-10]",
         "applies_to 中的类别 B4-10 不在案卷格式的处置类别中"),
        ("checklists/B4-1.yaml", "severity: error", "severity: fatal", "不符合 checklist.schema.json"),
        ("spec/inventory.yaml", "        inactive_reason: 县级扶贫工作领导小组改为乡村振兴局后", "        note: ",
         "不符合 inventory.schema.json：缺少“inactive_reason”"),
        ("spec/inventory.yaml", "code: B4-9", "code: B4-8", "编号重复：B4-8"),
    ],
)
def test_mistakes_in_a_county_copy_are_named(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    spec, checklists = _copy(tmp_path)
    path = tmp_path / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(spec, checklists)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_calendar_counts_term_weeks_without_holidays() -> None:
    import datetime as dt

    calendar = load_spec().calendar
    weeks = list(calendar.teaching_weeks(dt.date(2022, 9, 26), dt.date(2022, 10, 16)))
    assert [monday.isoformat() for monday, _ in weeks] == ["2022-09-26", "2022-10-10"]  # 国庆 week left out
    assert not list(calendar.teaching_weeks(dt.date(2022, 7, 11), dt.date(2022, 8, 28)))  # summer holiday


def test_teaching_weeks_are_the_weeks_with_a_school_day_on_any_span() -> None:
    """The precomputed weeks agree with walking the days one by one, from any first to any last day."""
    import datetime as dt

    calendar = load_spec().calendar
    start = dt.date(2021, 8, 1)
    for first_offset in range(0, 900, 37):
        first = start + dt.timedelta(days=first_offset)
        last = first + dt.timedelta(days=first_offset % 200)
        monday = first - dt.timedelta(days=first.weekday())
        walked = []
        while monday <= last:
            days = [monday + dt.timedelta(days=i) for i in range(5)]
            if any(any(d in t for t in calendar.terms) and not any(d in h for h in calendar.holidays) for d in days):
                walked.append(monday)
            monday += dt.timedelta(days=7)
        assert [m for m, _ in calendar.teaching_weeks(first, last)] == walked

"""Institution-level checks: documents in order, mechanism items per keeper, ledgers for every village."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.check.institutions import check_units, load_units
from docgen.demo.institutions import demo_units
from docgen.errors import InputError
from docgen.specs import load_spec

INVENTORY = load_spec().inventory


def _units(tmp_path: Path, edit=None) -> list:
    data, _ = demo_units()
    if edit:
        edit({u["name"]: u for u in data["units"]})
    path = tmp_path / "institutions.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return load_units(path)


def _fix_planted(units: dict) -> None:
    docs = units["桐林乡中心小学"]["documents"]
    docs[2], docs[4] = docs[4], docs[2]
    units["云溪镇初级中学"]["items"]["B2-7"] = ["A3B2/B2-7.pdf"]
    units["桐林乡人民政府"]["ledgers"]["B3-2"]["白岩村"] = "A3B3/B3-2_白岩村.pdf"


def test_complete_units_have_no_findings(tmp_path: Path) -> None:
    assert check_units(_units(tmp_path, _fix_planted), INVENTORY, None) == []


def test_middle_schools_keep_no_out_of_county_ledger(tmp_path: Path) -> None:
    units = {u.name: u for u in _units(tmp_path, _fix_planted)}
    middle = units["云溪镇初级中学"]
    assert set(middle.raw["ledgers"]) == {"B3-1", "B3-3"}
    assert middle.district() == ["本校"]


def test_a_village_missing_its_table_is_named(tmp_path: Path) -> None:
    def edit(units: dict) -> None:
        _fix_planted(units)
        del units["石桥村"]["ledgers"]["B3-3"]["石桥村"]

    (finding,) = check_units(_units(tmp_path, edit), INVENTORY, None)
    assert (finding.unit, finding.item, finding.id) == ("石桥村", "B3-3", "a3b3.village-ledger")


def test_missing_unit_files_are_reported(tmp_path: Path) -> None:
    units = _units(tmp_path, _fix_planted)
    root = tmp_path / "evidence"
    (root / "units").mkdir(parents=True)
    findings = check_units(units[:1], INVENTORY, root)
    assert findings and all(f.id == "unit.file" and "文件不存在" in f.message for f in findings)


def test_a_malformed_institutions_file_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": 1, "units": [{"name": "x", "kind": "county", "township": "y"}]}',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"\$\.units\[0\]\.kind 不符合单位档案目录的格式：取值 'county' 无效"):
        load_units(path)


def test_a_keeper_without_documents_is_told(tmp_path: Path) -> None:
    def edit(units: dict) -> None:
        _fix_planted(units)
        units["云溪镇人民政府"]["documents"] = []

    (finding,) = check_units(_units(tmp_path, edit), INVENTORY, None)
    assert (finding.unit, finding.item, finding.id) == ("云溪镇人民政府", "A3B1", "a3b1.present")

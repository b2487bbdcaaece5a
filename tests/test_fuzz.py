"""Property-based fuzzing of stage one and the commands behind it (hypothesis, seeded and bounded).

Every field path of the demo cases is mutated to hostile JSON values; malformed JSON and .xlsx are
fed to the commands. Whatever comes in: no exception escapes the loader, checked cases go through
the checklists and a template without error, every problem is one line naming its place, and a
command ends with exit 0, 1 or 2, never a traceback, never a file left behind.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.cases import load_data
from docgen.check import check_cases
from docgen.cli import main
from docgen.demo import demo_cases
from docgen.render import load_registry
from docgen.render.batch import assign_doc_info, missing_fields, select_jobs
from docgen.render.context import readable_case, template_context
from docgen.render.engine import CompiledTemplate
from docgen.specs import load_spec

BATCH = demo_cases()[0]
SPEC = load_spec()
REGISTRY = load_registry()
TEMPLATE = REGISTRY.get("劝返记录表")
RENDERER = CompiledTemplate(TEMPLATE.path)
FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


CASE_PATHS = [(i, p) for i, case in enumerate(BATCH["cases"]) for p in _paths(case)]

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "../secret", "/etc/passwd", "=1+1", "@SUM(A1)", "-2+3", "{{ 7*7 }}", "{_{ x }_}",
                     "{% if %}", "A&B<x>\"'", "\u000b", "\u0000", "\uffff", "2022-02-30", "2099-01-01",
                     "0000-00-00", "G" + "1" * 18, "x" * 300, "林\n嘉豪"]),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15),
                        st.floats(allow_nan=False, allow_infinity=False), hostile_text)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)


def _set(case: dict[str, Any], path: tuple[str | int, ...], value: Any, delete: bool) -> None:
    parent: Any = case
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _exercise(data: dict[str, Any]) -> None:
    loaded = load_data([("fuzz.json", data)], TODAY)
    for problem in loaded.problems:
        line = str(problem)
        assert "\n" not in line and line.startswith("fuzz.json: "), line
        assert problem.path.startswith("$"), problem
    result = check_cases(loaded.cases, SPEC, TODAY, rejected=loaded.rejected)
    assert len(result.cases) == len(loaded.cases) + len(loaded.rejected)
    jobs, _ = select_jobs(TEMPLATE, loaded.cases)
    missing_fields(TEMPLATE, jobs)
    assign_doc_info(TEMPLATE, jobs, dt.date(2022, 9, 14), None)
    views: dict[int, dict[str, Any]] = {}
    for job in jobs[:3]:
        view = views.setdefault(id(job.case), readable_case(job.case))
        RENDERER.render(template_context(view, job.record, list(TEMPLATE.per), job.doc))


@FUZZ
@given(st.sampled_from(CASE_PATHS), json_value, st.booleans())
def test_any_field_mutation_is_handled(where: tuple[int, tuple[str | int, ...]], value: Any, delete: bool) -> None:
    index, path = where
    data = {"schema_version": 1, "cases": [copy.deepcopy(BATCH["cases"][index])]}
    _set(data["cases"][0], path, value, delete)
    _exercise(data)


COMMANDS = [
    ("validate",), ("check",), ("export", "-o", "{out}/x.xlsx"), ("due",),
    ("render", "-t", "限期复学通知书", "-o", "{out}/notices"),
    ("monthly", "--month", "2022-09", "-o", "{out}/monthly"),
]


def _run(command: tuple[str, ...], path: Path, out: Path) -> None:
    args = [command[0], str(path), *(a.format(out=out) for a in command[1:])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output


def _leftovers(out: Path) -> list[str]:
    """Files a failed command left: temporary or staging names, or outputs of a run that failed."""
    return [p.name for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=60),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.sampled_from(['{"cases": 1}', '{"schema_version": 1, "cases": [1, "x", null]}', "[" * 300,
                     '{"case_id": "\\ud800"}', '{"a": 1, "a": 1}', '{"n": -Infinity}', "{}", "null", "\ufeff{}"]),
), st.sampled_from(COMMANDS))
def test_malformed_json_never_crashes_a_command(text: str, command: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "in.json", Path(tmp) / "out"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        out.mkdir()
        _run(command, path, out)
        assert _leftovers(out) == []


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_malformed_xlsx_never_crashes_import(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "台账.xlsx"
        ledger.write_bytes(b"PK\x03\x04" + data if data[:1] == b"\x00" else data)
        roster = ["roster", "import", str(ledger), "-o", f"{tmp}/r.json", "--county", "县", "--school-year", "2022"]
        for args in (["import", str(ledger), "-o", f"{tmp}/out.json"], roster):
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 2, (result.output, result.exception)
            assert "Traceback" not in result.output
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["台账.xlsx"]


PROLOGS = ['<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "<!-- <a> --><!DOCTYPE x>",
           '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', ""]


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                        "xl/_rels/workbook.xml.rels"]),
       st.sampled_from(PROLOGS), st.floats(0.0, 0.99), st.binary(max_size=20))
def test_damaged_or_hostile_parts_of_a_real_workbook_never_crash_an_import(
        demo_dir: Path, part: str, prolog: str, cut: float, noise: bytes) -> None:
    """Each Excel reader, given the demo's ledger or roster with one XML part given a DOCTYPE, cut short or
    spliced with bytes: a clear refusal or problem list, never an internal error, and nothing written."""
    import zipfile

    with tempfile.TemporaryDirectory() as tmp:
        roster = ["roster", "import", "{in}", "-o", f"{tmp}/r.json", "--county", "县", "--school-year", "2022"]
        for source, commands in ((demo_dir / "ledger.xlsx", [["import", "{in}", "-o", f"{tmp}/out.json"]]),
                                 (demo_dir / "roster.xlsx", [roster])):
            target = Path(tmp) / "in.xlsx"
            with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info)
                    if info.filename == part:
                        at = int(len(data) * cut)
                        data = prolog.encode() + data[:at] + noise + (data[at:] if noise else b"")
                    dst.writestr(info, data)
            for args in commands:
                result = CliRunner().invoke(main, [a.replace("{in}", str(target)) for a in args])
                assert result.exit_code in (1, 2), (args, result.output, result.exception)
                assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
                if "DOCTYPE" in prolog:
                    assert "有 DOCTYPE（XML 实体声明）" in result.output, result.output
            assert sorted(p.name for p in Path(tmp).iterdir()) == ["in.xlsx"]


def test_the_demo_itself_passes_the_fuzz_harness() -> None:
    """The harness is not vacuous: the unmutated demo goes all the way through it."""
    data = json.loads(json.dumps(BATCH))
    loaded = load_data([("fuzz.json", data)], TODAY)
    assert loaded.rejected == [] and len(loaded.cases) == 24
    _exercise(data)

"""A county's workspace: the folder that holds its settings and its one 文号 register.

Every office of a county numbers its documents from one register, whatever folder a batch is
written to; so the register belongs to the county, not to an output folder. ``docgen init`` makes
the folder (``docgen-workspace.yaml`` beside ``文号登记簿.sqlite``); commands find it from
``--workspace``, else ``$DOCGEN_WORKSPACE``, else the current folder or one of its parents. A
command that numbers documents refuses to run without one rather than start a new series.
The service keeps the same register in its database behind the same interface.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from docgen.errors import InputError, NoWorkspaceError
from docgen.fsutil import write_text_atomic
from docgen.problems import Document
from docgen.render.context import NO_SETTINGS, Issuing, UnitContact
from docgen.render.numbers import Register
from docgen.specs.loading import load_spec_file

SETTINGS_FILE = "docgen-workspace.yaml"
REGISTER_FILE = "文号登记簿.sqlite"
ENV_VAR = "DOCGEN_WORKSPACE"
_SCHEMA_DIR = Path(__file__).resolve().parent / "data"
ARCHIVE_DEFAULTS = {
    "fonds": "0001", "category": "KC", "retention": "定期30年", "classification": "内部",
    "file_no": "{fonds}-{category}·{year}-{seq:04d}",
}
_FILE_NO_FIELDS = {"fonds", "category", "year", "seq", "school"}



@dataclass(frozen=True)
class ArchiveSettings:
    """What the archive cover needs beyond the cases (DA/T 22-2015 6.2)."""

    fonds: str
    category: str
    retention: str
    classification: str
    file_no: str

    def file_number(self, *, year: int, seq: int, school: str = "") -> str:
        """The 档号 of the ``seq``-th binder of ``year``, from the county's scheme."""
        return self.file_no.format(fonds=self.fonds, category=self.category, year=year, seq=seq, school=school)


@dataclass(frozen=True)
class Workspace:
    root: Path
    county: str
    archive: ArchiveSettings
    issuing: Issuing = NO_SETTINGS
    # the county's own document for each local one it adopts (by the sources register's id); the local documents
    # not listed are references only (see docgen.specs.sources.load_sources). None: the settings do not say
    # (adopted_documents absent), and every document is cited as the register has it.
    adopted: Mapping[str, Document] | None = None

    @property
    def register(self) -> Register:
        return Register(self.root / REGISTER_FILE)

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE


def default_archive() -> ArchiveSettings:
    return ArchiveSettings(**ARCHIVE_DEFAULTS)


def _check_file_no(path: Path, pattern: str) -> None:
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}
        bad = names - _FILE_NO_FIELDS
        if not bad:
            pattern.format(fonds="0", category="K", year=2022, seq=1, school="x")
    except (ValueError, IndexError, KeyError) as exc:
        raise InputError(str(path), f"archive.file_no 档号格式“{pattern}”写法有误（{exc}）") from exc
    if bad:
        raise InputError(str(path), f"archive.file_no 档号格式只能用 {{fonds}} {{category}} {{year}} {{seq}} "
                                    f"{{school}}，不认识 {'、'.join(sorted(bad))}")


def load_workspace(root: Path) -> Workspace:
    """The workspace at ``root`` (its settings validated against workspace.schema.json)."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise NoWorkspaceError(f"{root}: ")
    data: Mapping[str, Any] = load_spec_file(path, "workspace.schema.json", _SCHEMA_DIR)
    archive = {**ARCHIVE_DEFAULTS, **data.get("archive", {})}
    _check_file_no(path, archive["file_no"])
    units = {name: UnitContact(**unit) for name, unit in data.get("units", {}).items()}
    issuing = Issuing(units, data.get("penalty", {}).get("hearing_fine"), str(path))
    adopted = None if "adopted_documents" not in data else {
        key: Document(key, d["title"], d["issuer"], d.get("doc_no", ""), d.get("date", ""))
        for key, d in (data["adopted_documents"] or {}).items()}
    return Workspace(root.resolve(), data["county"], ArchiveSettings(**archive), issuing, adopted)


def find_workspace(explicit: Path | None = None, start: Path | None = None) -> Workspace | None:
    """The workspace named by ``explicit``, else ``$DOCGEN_WORKSPACE``, else the nearest folder upwards
    from ``start`` (the current folder) holding docgen-workspace.yaml; None when there is none."""
    named = explicit or (Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else None)
    if named is not None:
        return load_workspace(named)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return load_workspace(folder)
    return None


def require_workspace(explicit: Path | None = None, start: Path | None = None) -> Workspace:
    found = find_workspace(explicit, start)
    if found is None:
        raise NoWorkspaceError()
    return found


HEADER = """\
# docgen 工作区设置：本县的文书都从同一个文号登记簿（文号登记簿.sqlite）取号。
# archive：档案封面用的全宗号、类别号、保管期限（永久/定期30年/定期10年）、密级和档号格式。
# units：各发文单位（与文书上的发文机关同名）的签发人（signer，请示等上行文的签发人）、联系人（contact，
#   函中写明的联系人，写人名）和联系电话（phone）。例：
#     units:
#       云溪镇人民政府: {signer: 张建华, contact: 罗晓梅, phone: 0739-6230100}
# adopted_documents：本县采用的外地文件（依据文件登记表 checklists/sources.yaml 中 scope: local 的文件）和本县据以
#   发出的文件。采用了的，核查、待办、档案中的依据写本县自己的文件；没有采用的只作参考，单凭它的要求查出的缺漏算
#   “建议补充”。不写这一项时，依据按登记表原样引用。例：
#     adopted_documents:
#       xianyi-2022-56: {issuer: 某某县教育局, title: 关于进一步加强控辍保学工作的实施方案, doc_no: 某教发〔2022〕31号,
#                        date: 2022-08-10}
# penalty.hearing_fine：本省规定的“较大数额罚款”（对公民，元）。拟罚款达到这个数额时，行政处罚事先告知书
#   告知听证权利（行政处罚法第六十三条、第六十四条）；不填则凡拟罚款都告知。警告、通报批评不告知听证。
"""


def init_workspace(root: Path, county: str, archive: Mapping[str, str] | None = None,
                   more: Mapping[str, Any] | None = None) -> Workspace:
    """Make ``root`` a workspace for ``county`` (an existing one is left as it is and returned); ``more``:
    further settings (``units``, ``penalty``) written into the file as they are."""
    path = root / SETTINGS_FILE
    if path.exists():
        existing = load_workspace(root)
        if existing.county != county:
            raise InputError(str(path), f"这里已经是{existing.county}的工作区，不能再设为{county}")
        return existing
    root.mkdir(parents=True, exist_ok=True)
    settings = {"version": 1, "county": county, "archive": {**ARCHIVE_DEFAULTS, **(archive or {})}, **(more or {})}
    text = HEADER + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
    write_text_atomic(path, text)
    workspace = load_workspace(root)
    workspace.register.entries()  # creates the register file, so the folder is complete from the start
    return workspace

"""Reading a batch job's zip as a clerk's Excel opens its list (清单.xlsx)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

COLUMNS = {"学生": "student", "学校": "school", "案卷编号": "case_id", "文号": "doc_no", "成文日期": "date",
           "文书文件": "file"}


def listed(bundle: zipfile.ZipFile, template: str = "限期复学通知书") -> list[dict[str, object]]:
    """The documents the zip's list names, one dict per row (keys as ``COLUMNS``), in its order."""
    ws = load_workbook(io.BytesIO(bundle.read(f"{template}_清单.xlsx")), read_only=True)["清单"]
    rows = list(ws.iter_rows(values_only=True))
    at = next(n for n, row in enumerate(rows) if row and row[0] == "序号")
    header = rows[at]
    return [{COLUMNS[h]: v for h, v in zip(header, row, strict=False) if h in COLUMNS}
            for row in rows[at + 1:] if row and isinstance(row[0], int)]

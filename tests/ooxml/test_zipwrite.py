"""The zip writer's archives open in zipfile; one member is read back by walking the local headers, and an
archive laid out otherwise (or damaged) is left to zipfile."""

from __future__ import annotations

import io
import zipfile

from docgen.ooxml.zipwrite import Part, deflate, read_member, zip_bytes

XML = "<w:document>通知书正文 " + "段落 " * 400 + "</w:document>"


def _parts() -> list[Part]:
    return [deflate("[Content_Types].xml", b"<Types/>"), deflate("word/document.xml", XML.encode()),
            deflate("word/styles.xml", b"<w:styles/>")]


def test_members_read_back_as_zipfile_reads_them() -> None:
    data = zip_bytes(_parts())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            assert read_member(data, name) == archive.read(name)
    assert read_member(data, "word/missing.xml") is None


def test_an_archive_laid_out_otherwise_or_damaged_is_left_to_zipfile() -> None:
    class Unseekable(io.RawIOBase):  # zipfile then writes sizes after the data (a data descriptor)
        def __init__(self) -> None:
            self.buffer = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b) -> int:
            self.buffer += b
            return len(b)

    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", XML)
    assert read_member(bytes(out.buffer), "word/document.xml") is None

    data = bytearray(zip_bytes(_parts()))
    at = data.index(b"word/document.xml") + len("word/document.xml") + 40
    data[at] ^= 0xFF
    assert read_member(bytes(data), "word/document.xml") is None

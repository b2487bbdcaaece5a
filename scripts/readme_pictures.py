"""Pictures for the README, from what the current code makes: pages of the service as the browser tests see them,
and pages of documents and workbooks as they print.

    bash scripts/readme-pictures.sh

    python scripts/readme_pictures.py OUT NAME=SOURCE[@KEEP] ...

SOURCE is a PNG (a screenshot) or a PDF (its first page is drawn); KEEP cuts a long screenshot to its top KEEP
pixels. Each picture is scaled to 900 px and reduced to 128 colours, so they stay small in the repository."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

WIDTH, COLOURS = 900, 128


def _first_page(pdf: Path, folder: Path) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", str(pdf), str(folder / "page")],
                   check=True)
    return next(folder.glob("page*.png"))


def picture(source: Path, target: Path, keep: int | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _first_page(source, Path(tmp)) if source.suffix == ".pdf" else source
        image = Image.open(path).convert("RGB")
    if keep and image.height > keep:
        image = image.crop((0, 0, image.width, keep))
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image.quantize(COLOURS).save(target, optimize=True)
    print(f"{target}：{target.stat().st_size // 1024} KB")


def main(out: Path, pairs: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for pair in pairs:
        name, _, source = pair.partition("=")
        source, _, keep = source.partition("@")
        picture(Path(source), out / name, int(keep) if keep else None)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])

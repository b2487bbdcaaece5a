"""Pictures of the service for the README, from the browser tests' screenshots of the current code.

    bash scripts/readme-pictures.sh        # runs the browser tests that take them, then this

Each picture is cut to what a reader needs (the top of a long page), scaled to 900 px and reduced to 128 colours,
so the three stay small in the repository."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

WIDTH, COLOURS = 900, 128
PICTURES = {  # README picture ← screenshot (or printed PDF), and how much of its top to keep (px, before scaling)
    "工作台.png": ("09-督导工作台-全县.png", 1900),
    "案卷页.png": ("10-丁志强-学校的待办和可出具的文书.png", 1500),
    "案卷打印.png": ("13-丁志强-打印.pdf", None),
}


def _page_one(pdf: Path, folder: Path) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", str(pdf), str(folder / "print")], check=True)
    return next(folder.glob("print*.png"))


def main(shots: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (source, keep) in PICTURES.items():
            path = shots / source
            if path.suffix == ".pdf":
                path = _page_one(path, Path(tmp))
            image = Image.open(path).convert("RGB")
            if keep and image.height > keep:
                image = image.crop((0, 0, image.width, keep))
            image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
            image.quantize(COLOURS).save(out / name, optimize=True)
            print(f"{out / name}：{(out / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

"""Render the pictures in docs/ from a real spreadsheet program (LibreOffice headless).

    python scripts/render_docs.py

Annotates templates/r7/invalid/ineligible-expenses.xlsx, prints it to PDF with LibreOffice and
keeps two pages as PNG: the チェック結果 sheet and the highlighted 計画様式7. Needs soffice,
pdftotext and pdftoppm (poppler-utils) and a Japanese font (fonts-ipafont-gothic).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planvalidator.annotate import annotate_file  # noqa: E402


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "ineligible-expenses.xlsx"
        shutil.copy(ROOT / "templates" / "r7" / "invalid" / "ineligible-expenses.xlsx", source)
        _report, out = annotate_file(source)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
                        "--outdir", str(tmp), str(out)], check=True, capture_output=True, timeout=240)
        pdf = tmp / f"{out.stem}.pdf"
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        wanted = {"results-sheet": next(i for i, p in enumerate(pages) if "planvalidator チェック結果" in p),
                  "highlighted-sheet": next(i for i, p in enumerate(pages) if "（計画様式7）" in p)}
        crop = {"results-sheet": ["-r", "80"],                       # the whole landscape page
                "highlighted-sheet": ["-r", "160", "-x", "130", "-y", "150", "-W", "1080", "-H", "290"]}
        for name, index in wanted.items():
            subprocess.run(["pdftoppm", *crop[name], "-f", str(index + 1), "-l", str(index + 1), "-png",
                            "-singlefile", str(pdf), str(ROOT / "docs" / name)], check=True)
            print(f"docs/{name}.png (page {index + 1})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

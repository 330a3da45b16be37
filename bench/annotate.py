"""Annotating the 記入例 with a dozen findings, against a plain openpyxl load + save of the same file.

    python bench/annotate.py [--repeat N]      (openpyxl, the baseline, comes with the [test] extra)
    python bench/annotate.py --backends [--rows 10000]

``--backends``: the same annotation with each XML backend of planvalidator/xmltree.py (lxml, and
the standard library that Pyodide uses), on the 記入例 and on the 記入例 with its expense table
grown to ``--rows`` rows (bench/sizes.py), in the same run, as a ratio to lxml.

Both are timed in the same run on the same machine and reported as a ratio (issue: no slower
than the plain round trip). The annotation is timed without the check (the findings are given);
the check and the whole `annotate` command are shown for context.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from planvalidator.annotate import annotate, annotate_file  # noqa: E402
from planvalidator.annotate.file import FileAnnotator  # noqa: E402
from planvalidator.engine import check_file  # noqa: E402
from planvalidator.findings import Finding, Severity  # noqa: E402

EXAMPLE = ROOT / "templates" / "r7" / "kinyurei-r7.xlsx"


def dozen_findings(report):
    cells = [("計画様式7", f"{col}{row}") for row in (6, 8, 10, 12) for col in ("F", "I", "L")]
    severities = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    report.findings = [Finding("PV102", "general-purpose-item", severities[i % 3], sheet, cell,
                               f"ベンチマーク用の指摘 {i + 1}", "公募要領 5.※(5)")
                       for i, (sheet, cell) in enumerate(cells)]
    return report


def timed(fn, repeat: int) -> float:
    fn()                                   # warm up (imports, caches)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def backends(repeat: int, rows: int) -> int:
    """The annotation (findings given, as above) with lxml and with the standard library."""
    sys.path.insert(0, str(ROOT / "bench"))
    from sizes import grown

    from planvalidator import xmltree

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        example = tmp / "記入例.xlsx"
        shutil.copy(EXAMPLE, example)
        large = grown(rows, tmp / f"{rows}行.xlsx")
        print(f"{'workbook':<18} {'lxml':>9} {'stdlib':>9} {'ratio':>6}")
        for label, source in (("記入例", example), (f"{rows:,} 行", large)):
            report = dozen_findings(check_file(source))
            times = {}
            for backend in ("lxml", "stdlib"):
                xmltree.select(backend)

                def annotation():
                    annotator = FileAnnotator(source)
                    annotate(annotator, report)
                    annotator.save(tmp / f"annotated-{backend}.xlsx")
                times[backend] = timed(annotation, repeat)
            xmltree.select(None)
            same = (tmp / "annotated-lxml.xlsx").read_bytes() == (tmp / "annotated-stdlib.xlsx").read_bytes()
            print(f"{label:<18} {times['lxml'] * 1000:7.1f}ms {times['stdlib'] * 1000:7.1f}ms "
                  f"{times['stdlib'] / times['lxml']:6.2f}   {'same bytes' if same else 'bytes differ'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", action="store_true", help="lxml against the standard library")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    if args.backends:
        return backends(args.repeat, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "記入例.xlsx"
        shutil.copy(EXAMPLE, source)
        report = dozen_findings(check_file(source))

        def roundtrip():
            openpyxl.load_workbook(source).save(tmp / "openpyxl.xlsx")

        def annotation():
            annotator = FileAnnotator(source)
            annotate(annotator, report)
            annotator.save(tmp / "annotated.xlsx")

        baseline = timed(roundtrip, args.repeat)
        ours = timed(annotation, args.repeat)
        check = timed(lambda: check_file(source), args.repeat)
        whole = timed(lambda: annotate_file(source, tmp / "whole.xlsx"), args.repeat)
    print(f"openpyxl load + save (baseline)   {baseline * 1000:7.1f} ms   1.00")
    print(f"annotate, 12 findings             {ours * 1000:7.1f} ms   {ours / baseline:.2f}")
    print(f"check (warm process, same file)    {check * 1000:7.1f} ms   {check / baseline:.2f}")
    print(f"planvalidator annotate (both)     {whole * 1000:7.1f} ms   {whole / baseline:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

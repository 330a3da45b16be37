"""``planvalidator check`` and ``annotate`` on hostile and broken workbooks (tests/support/hostile.py), each in
a child process.

For every file: an exit code of 0, 1 or 2 (never a signal), no traceback, one Japanese line on
stderr naming the file when it cannot be checked (exit 2), JSON findings otherwise, at most
10 s of the child's own CPU time and 1 GiB of its peak memory (both from wait4: the work it did,
however busy the machine is), and nothing written beside the input. Each case may also say what it
must find (tests/support/hostile.py, ``Case``). What ``check`` reads, ``annotate`` writes — or refuses
with a reason of its own, never an unexpected error.

With PV_RELIABILITY_OUT set to a folder, each case's figures are written there as <case>.json
(one file per case, so parallel workers do not share a file).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from support.hostile import CASE_NAMES, Case, Run, build_corpus, run_check

MAX_SECONDS = 10.0
MAX_MIB = 1024.0
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Case]:
    """Every case, built once per session (per worker with xdist)."""
    return {case.name: case for case in build_corpus(tmp_path_factory.mktemp("hostile"))}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record(case: Case, run: Run) -> None:
    folder = os.environ.get("PV_RELIABILITY_OUT")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    figures = {"name": case.name, "exit": run.exit_code, "seconds": round(run.seconds, 3),
               "cpu_seconds": round(run.cpu_seconds, 3), "peak_mib": round(run.peak_mib, 1), "timed_out": run.timed_out}
    (Path(folder) / f"{case.name}.json").write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")


def contract_problems(case: Case, run: Run, path: Path) -> list[str]:
    """What every run must do, whatever the file."""
    problems = []
    if run.timed_out:
        problems.append(f"killed after {run.seconds:.0f} s")
    if run.exit_code not in (0, 1, 2):
        problems.append(f"exit status {run.exit_code} (negative: killed by that signal)")
    if "Traceback" in run.stderr:
        problems.append("a traceback on stderr")
    if "MemoryError" in run.stderr:
        problems.append("MemoryError: the run reached the safety cap on its address space")
    if run.cpu_seconds > MAX_SECONDS:
        problems.append(f"took {run.cpu_seconds:.1f} s of CPU (limit {MAX_SECONDS:.0f} s)")
    if run.peak_mib > MAX_MIB:
        problems.append(f"peak RSS {run.peak_mib:.0f} MiB (limit {MAX_MIB:.0f} MiB)")
    if run.exit_code == 2:
        lines = run.stderr.splitlines()
        if len(lines) != 1:
            problems.append(f"exit 2 with {len(lines)} lines on stderr (want exactly one)")
        elif not lines[0].startswith("planvalidator: ") or path.name not in lines[0]:
            problems.append("the stderr line does not start with 'planvalidator: ' and the file")
        elif not JAPANESE.search(lines[0].split(path.name, 1)[1]):
            problems.append("the stderr line gives no reason in Japanese")
    elif run.exit_code in (0, 1):
        try:
            report = json.loads(run.stdout)
        except ValueError:
            problems.append("stdout is not JSON")
        else:
            if not isinstance(report, dict) or "findings" not in report:
                problems.append("the JSON has no 'findings'")
    return problems


def expectation_problems(case: Case, run: Run) -> list[str]:
    """What this case must do (Case.exits, reason, findings, exactly, no_errors)."""
    problems = []
    if run.exit_code not in case.exits:
        problems.append(f"exit {run.exit_code}, want one of {sorted(case.exits)}")
    if case.reason and run.exit_code == 2 and not any(word in run.stderr for word in case.reason):
        problems.append(f"the reason names none of {list(case.reason)}")
    if not (case.findings or case.exactly or case.no_errors):
        return problems
    try:
        findings = json.loads(run.stdout)["findings"]
    except (ValueError, KeyError, TypeError):
        return problems + ["no findings to compare (the file was not checked)"]
    reported = [(f["rule"], f["severity"], f["sheet"], f["cell"]) for f in findings]
    for hit in case.findings:
        if hit not in reported:
            problems.append(f"missing finding {hit}")
    for rule in case.exactly:
        got = sorted(h for h in reported if h[0] == rule)
        want = sorted(h for h in case.findings if h[0] == rule)
        if got != want:
            problems.append(f"{rule} findings are {got}, want exactly {want}")
    if case.no_errors:
        errors = [h for h in reported if h[1] == "error"]
        if errors:
            problems.append(f"error findings {errors}")
    return problems


@pytest.mark.parametrize("name", CASE_NAMES)
def test_check_a_hostile_file(name, corpus, tmp_path):
    case = corpus[name]
    if case.skip:
        pytest.skip(case.skip)
    folder = tmp_path / "input"
    folder.mkdir()
    path = folder / case.path.name
    shutil.copyfile(case.path, path)
    digest = _digest(path)

    run = run_check(path)
    _record(case, run)

    problems = contract_problems(case, run, path)
    left = sorted(p.name for p in folder.iterdir())
    if left != [path.name]:
        problems.append(f"files beside the input afterwards: {left}")
    elif _digest(path) != digest:
        problems.append("the input file was changed")
    problems += expectation_problems(case, run)
    assert not problems, (
        f"{name}: exit {run.exit_code}, {run.cpu_seconds:.2f} s CPU, {run.peak_mib:.0f} MiB\n  - "
        + "\n  - ".join(problems) + f"\nstderr: {run.stderr[-2000:]}")


@pytest.mark.parametrize("name", CASE_NAMES)
def test_annotate_a_hostile_file(name, corpus, tmp_path):
    """``annotate`` on the same file: the same bounds and the same one-line answers; a workbook it
    writes is one that ``check`` reads again; a refusal is a reason, not an unexpected error."""
    case = corpus[name]
    if case.skip:
        pytest.skip(case.skip)
    folder = tmp_path / "input"
    folder.mkdir()
    path = folder / case.path.name
    shutil.copyfile(case.path, path)
    digest = _digest(path)
    out = tmp_path / f"annotated{path.suffix if path.suffix in ('.xlsx', '.xlsm') else '.xlsx'}"

    run = run_check(path, command=["annotate", "-o", str(out)])
    problems = [p for p in contract_problems(case, run, path) if "JSON" not in p and "'findings'" not in p]
    if "予期しない" in run.stderr:
        problems.append("an unexpected error instead of a reason")
    if sorted(p.name for p in folder.iterdir()) != [path.name] or _digest(path) != digest:
        problems.append("the input's folder or the input changed")
    if run.exit_code in (0, 1):
        if not out.is_file():
            problems.append("no annotated workbook written")
        else:
            again = run_check(out)
            if again.exit_code not in (0, 1):
                problems.append(f"check of the annotated workbook: exit {again.exit_code} {again.stderr[-300:]}")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    if leftovers:
        problems.append(f"temporary files left: {leftovers}")
    assert not problems, (
        f"{name}: exit {run.exit_code}, {run.cpu_seconds:.2f} s CPU, {run.peak_mib:.0f} MiB\n  - "
        + "\n  - ".join(problems) + f"\nstderr: {run.stderr[-2000:]}")

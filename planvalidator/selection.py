"""Which rules run and how severe their findings are: ``--select``, ``--ignore``, ``--severity``.

As in ruff: a selector is ``ALL``, a rule code (``PV102``), a code prefix (``PV1``, ``PV10``), a
family (``expenses``) or a rule name (``general-purpose-item``). For each rule the most specific
selector that matches it decides; between a select and an ignore of the same specificity, the
ignore wins. ``PV900`` (a rule that failed) cannot be turned off: a check that did not complete
must say so.

The program decides first which rules apply to it at all (program.yaml ``rules``); the user's
selection narrows that. Settings come from the command line, else from ``planvalidator.toml``
(or ``[tool.planvalidator]`` in ``pyproject.toml``) in the current folder or given with ``--config``.
"""

from __future__ import annotations

import re
from pathlib import Path

from planvalidator.findings import Finding, Severity
from planvalidator.structs import Frozen, compared_on, replace


CONFIG_FILE = "planvalidator.toml"
ALWAYS_ON = frozenset({"PV900"})
_CODE = re.compile(r"PV\d{0,3}", re.IGNORECASE)


class SelectionError(ValueError):
    """A selector or setting that names nothing (one Japanese line)."""


def _split(values, where: str = "", *, empty_ok: bool = False) -> tuple[str, ...]:
    """「PV1,PV201」 and ["PV1", "PV201"] alike; anything else (or nothing, unless ``empty_ok``) is a
    SelectionError naming ``where``."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise SelectionError(f"{where}: 規則の名前かコードの文字列、またはその並び（例: [\"PV1\", \"PV201\"]）にしてください")
    parts = tuple(part.strip() for v in values for part in v.split(",") if part.strip())
    if not parts and not empty_ok:
        raise SelectionError(f"{where}: 規則が 1 つも書かれていません（すべてなら ALL）")
    return parts


class Selection(Frozen):
    """Which rules run and at what severity (--select, --ignore, --severity, settings files)."""
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = {}            # selector → error/warning/info
    source: str = "既定"                     # where the settings came from, for messages
    __eq__, __hash__ = compared_on("select", "ignore", "source")

    # --- building ----------------------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: dict, source: str) -> "Selection":
        unknown = sorted(set(settings) - {"select", "ignore", "severity"})
        if unknown:
            raise SelectionError(f"{source}: 「{unknown[0]}」という設定はありません（select, ignore, severity）")
        severity = settings.get("severity") or {}
        if not isinstance(severity, dict) or not all(isinstance(v, str) for v in severity.values()):
            raise SelectionError(f"{source}: severity は 規則 = \"error\" の表にしてください")
        select = _split(settings["select"], f"{source} の select") if "select" in settings else ("ALL",)
        ignore = _split(settings.get("ignore"), f"{source} の ignore", empty_ok=True)
        return cls(select, ignore, {str(k): v.strip().lower() for k, v in severity.items()}, source).validated()

    def overridden(self, select=None, ignore=None, severity=()) -> "Selection":
        """The command line's values over these (a given --select or --ignore replaces; --severity adds)."""
        grades = dict(self.severity)
        for item in severity:
            code, sep, level = item.partition("=")
            if not sep:
                raise SelectionError(f"--severity {item}: 「規則=error」「規則=warning」「規則=info」の形にしてください")
            grades[code.strip()] = level.strip().lower()
        given = select is not None or ignore is not None or bool(severity)
        return replace(self, select=_split(select, "--select") if select is not None else self.select,
                       ignore=_split(ignore, "--ignore", empty_ok=True) if ignore is not None else self.ignore,
                       severity=grades,
                       source="コマンドライン" if given else self.source).validated()

    def validated(self) -> "Selection":
        from planvalidator import rules

        catalogue = rules.all_rules()
        for selector in (*self.select, *self.ignore, *self.severity):
            if selector.upper() != "ALL" and not any(_specificity(selector, r) for r in catalogue):
                raise SelectionError(f"{self.source}: 規則「{selector}」はありません（planvalidator rules で一覧）")
        for selector, level in self.severity.items():
            if level not in {s.value for s in Severity}:
                raise SelectionError(f"{self.source}: {selector} の重要度「{level}」は error・warning・info のどれかにしてください")
            if selector.strip().upper() in ALWAYS_ON:
                raise SelectionError(f"{self.source}: {selector}（規則の失敗）の重要度は変えられません")
        return self

    # --- using -------------------------------------------------------------------------------
    def enabled(self, rule) -> bool:
        if rule.code in ALWAYS_ON:
            return True
        chosen = max((_specificity(s, rule) for s in self.select), default=0)
        dropped = max((_specificity(s, rule) for s in self.ignore), default=0)
        return chosen > 0 and chosen > dropped

    def graded(self, finding: Finding, rule) -> Finding:
        """The finding with the severity the most specific ``severity`` setting gives its rule."""
        best = max(((_specificity(s, rule), level) for s, level in self.severity.items()), default=(0, None))
        if not best[0] or rule.code in ALWAYS_ON:
            return finding
        return replace(finding, severity=Severity(best[1]))


_PROGRAMS: dict[int, tuple[object, Selection]] = {}


def of_program(program) -> Selection:
    """The rules a program takes (program.yaml ``rules``: select / ignore, written and decided as
    ``--select`` / ``--ignore`` are); built once per loaded program."""
    entry = _PROGRAMS.get(id(program))
    if entry is None or entry[0] is not program:
        chosen = program.spec.rules
        entry = _PROGRAMS[id(program)] = (program, Selection(tuple(chosen.select) or ("ALL",), tuple(chosen.ignore),
                                                             source="program.yaml の rules"))
    return entry[1]


def program_applies(program, code: str) -> bool:
    """Whether a rule applies to a program at all; PV900 (a rule that failed) always applies."""
    return code in running(program, Selection())


_RUNNING: dict[tuple, tuple[object, frozenset[str]]] = {}
_RUNNING_KEPT = 64          # programs × selections remembered (a server sees few: the files and the page's choices)


def running(program, selection: "Selection") -> frozenset[str]:
    """The codes of the rules that run on ``program`` under ``selection``: those the program takes
    (:func:`of_program`) that the user selected. Depends on neither the workbook nor its values, so it is
    decided once per loaded program and selection, not per check."""
    key = (id(program), tuple(selection.select), tuple(selection.ignore))     # (all that :meth:`Selection.enabled` reads)
    entry = _RUNNING.get(key)
    if entry is None or entry[0] is not program:
        from planvalidator import rules

        takes = of_program(program)
        codes = frozenset(r.code for r in rules.all_rules() if takes.enabled(r) and selection.enabled(r))
        if len(_RUNNING) >= _RUNNING_KEPT:
            _RUNNING.clear()
        entry = _RUNNING[key] = (program, codes)
    return entry[1]


def _specificity(selector: str, rule) -> int:
    """How specifically ``selector`` names ``rule`` (0 = not at all)."""
    s = selector.strip()
    if s.upper() == "ALL":
        return 1
    if s == rule.name:
        return 10
    if s.lower() == rule.family:
        return 3               # as specific as its prefix (expenses = PV1)
    if _CODE.fullmatch(s) and rule.code.startswith(s.upper()):
        return len(s)          # PV → 2 … PV102 → 5
    return 0


def load_config(path: str | Path | None = None, *, folder: Path | None = None) -> Selection:
    """Settings from ``path``, else ``planvalidator.toml`` or ``pyproject.toml`` ([tool.planvalidator])
    in ``folder`` (default: the current folder); the defaults when there is none."""
    folder = folder or Path.cwd()
    if path is None:
        own, project = folder / CONFIG_FILE, folder / "pyproject.toml"
        if own.is_file():
            path = own
        elif project.is_file() and _mentions_us(project):
            path = project
        else:
            return Selection()
    path = Path(path)
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        data = tool.get("planvalidator", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise SelectionError(f"{path}: [tool.planvalidator] は表にしてください")
    return Selection.from_settings(data, str(path))


def _mentions_us(project: Path) -> bool:
    """A pyproject.toml with a [tool.planvalidator] section (one that is not ours is not read)."""
    from planvalidator import limits
    try:
        with project.open("rb") as fh:
            return b"tool.planvalidator" in fh.read(limits.MAX_CONFIG_BYTES + 1)
    except OSError:
        return False


def _read_toml(path: Path) -> dict:
    """A settings file, bounded: its size (:data:`~planvalidator.limits.MAX_CONFIG_BYTES`), and any
    way it fails to be TOML (a nesting deep enough to exhaust the parser included) is one line."""
    import tomllib          # (here: most checks have no settings file, and tomllib is ~2% of a cold check's import)

    from planvalidator import limits
    try:
        with path.open("rb") as fh:
            raw = fh.read(limits.MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise SelectionError(f"{path}: 設定ファイルがありません") from None
    except IsADirectoryError:
        raise SelectionError(f"{path}: フォルダです（設定ファイルを指定してください）") from None
    except OSError as exc:
        raise SelectionError(f"{path}: 設定ファイルを読めません（{exc.strerror or type(exc).__name__}）") from None
    if len(raw) > limits.MAX_CONFIG_BYTES:
        raise SelectionError(f"{path}: 設定ファイルが大きすぎます（上限 {limits.MAX_CONFIG_BYTES // 1024} KB）")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SelectionError(f"{path}: UTF-8 のテキストではありません") from None
    except RecursionError:
        raise SelectionError(f"{path}: TOML として読めません（入れ子が深すぎます）") from None
    except tomllib.TOMLDecodeError as exc:
        raise SelectionError(f"{path}: TOML として読めません（{' '.join(str(exc).split())[:120]}）") from None

"""Reading a JSON plan from a file: bounded in size, anything unreadable one Japanese line."""

from __future__ import annotations

import json
from pathlib import Path

from planvalidator.errors import CannotCheck

MAX_PLAN_BYTES = 20 * 1024 * 1024      # one JSON plan as stored


def load_json(path) -> object:
    """A JSON file, bounded in size; anything unreadable is one Japanese line (CannotCheck)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise CannotCheck(f"開けません（{exc.strerror or type(exc).__name__}）", file=str(path)) from None
    if len(raw) > MAX_PLAN_BYTES:
        raise CannotCheck(f"JSON の計画データが大きすぎます（{MAX_PLAN_BYTES // (1024 * 1024)} MB まで）", file=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CannotCheck(f"UTF-8 のテキストではありません（{exc.start + 1} バイト目）", file=str(path)) from None

    def constant(name):
        raise ValueError(f"{name} は JSON の数値ではありません")
    try:
        return json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise CannotCheck(f"JSON として読めません（{exc.lineno} 行 {exc.colno} 列: {exc.msg}）", file=str(path)) from None
    except ValueError as exc:
        raise CannotCheck(f"JSON として読めません（{exc}）", file=str(path)) from None
    except RecursionError:
        raise CannotCheck("JSON の入れ子が深すぎます", file=str(path)) from None

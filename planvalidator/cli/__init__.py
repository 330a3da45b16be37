"""The ``planvalidator`` command: the click group :func:`main`, run by :func:`run` (the entry point
``planvalidator.cli:run`` and ``python -m planvalidator``)
and its commands, one module for each group of them:

- :mod:`~planvalidator.cli.checking`: ``check``, ``annotate``
- :mod:`~planvalidator.cli.fixing`: ``fix``
- :mod:`~planvalidator.cli.plans`: ``export``, ``fill`` (the plan as JSON data)
- :mod:`~planvalidator.cli.batching`: ``batch``
- :mod:`~planvalidator.cli.templates`: ``template verify | diff | new``
- :mod:`~planvalidator.cli.catalogue`: ``rules``, ``programs``
- :mod:`~planvalidator.cli.excel`: ``excel-template``
- :mod:`~planvalidator.cli.serving`: ``serve``
- :mod:`~planvalidator.cli.site`: ``site`` (the static check site)

What they share (exit codes, the rule-selection options, the per-file loop) is :mod:`~planvalidator.cli.common`;
the one line a file that cannot be checked gets is :mod:`planvalidator.outcome`.
"""

from __future__ import annotations

import gc
import sys
from importlib import import_module

import click

from planvalidator import __version__
from planvalidator.cli.click_ja import name_the_parts
from planvalidator.cli.common import EXIT_CANNOT_CHECK, EXIT_CLEAN, EXIT_FINDINGS

__all__ = ["main", "run", "EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_CANNOT_CHECK"]

# each command: the module that defines it and its name there. A command's module is imported when the command
# runs (or help lists the commands): `planvalidator check` does not import batch, serve, site … (their imports
# are ~10% of a cold check)
COMMANDS = {
    "check": ("checking", "check"),
    "annotate": ("checking", "annotate"),
    "fix": ("fixing", "fix"),
    "export": ("plans", "export"),
    "fill": ("plans", "fill"),
    "batch": ("batching", "batch"),
    "template": ("templates", "template"),
    "programs": ("catalogue", "programs"),
    "excel-template": ("excel", "excel_template"),
    "serve": ("serving", "serve"),
    "site": ("site", "site"),
    "rules": ("catalogue", "rules"),
}


def _command(name: str) -> click.Command:
    module, attr = COMMANDS[name]
    return getattr(import_module(f"planvalidator.cli.{module}"), attr)


class _Commands(click.Group):
    """The group of :data:`COMMANDS`, each imported when first looked up (its 「使い方:」 named in Japanese then)."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            command = _command(name)
            name_the_parts(command)
            self.add_command(command, name)
        return self.commands.get(name)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:     # 「… のことですか?」 among every command, loaded or not
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="planvalidator")
def main():
    """新商品・新サービス開発支援事業助成金 事業計画書のチェッカー。

    \b
    例:
      planvalidator check 事業計画書.xlsx
      planvalidator check --format json 受付/*.xlsx
      planvalidator annotate 事業計画書.xlsx
      planvalidator fix 事業計画書.xlsx
      planvalidator rules PV201
    """
    # what is loaded by now (click, its modules) lives as long as the process: the garbage collector, which
    # walks every tracked object again each time it runs while a check imports and builds its data, leaves it
    # be (~2% of a cold check). Once per process: a process that runs commands again (tests) freezes no garbage
    if not gc.get_freeze_count():
        gc.freeze()


name_the_parts(main)


def run() -> None:
    """:func:`main` as a process runs it: then exit handlers run, the output is flushed and the process ends
    without tearing its modules down (freeing every object and a last garbage collection over all of them,
    ~4% of a cold check: the system frees the memory at once). A process with other threads still running,
    or whose output cannot be flushed (a closed pipe), exits as Python does."""
    import atexit
    import os

    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not isinstance(code, int) and code is not None:
        sys.exit(code)                          # a message: Python prints it and exits 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code or 0)


def __getattr__(name: str):
    """A command by its name in its module (``from planvalidator.cli import serve``), imported then."""
    for command, (_module, attr) in COMMANDS.items():
        if attr == name:
            return main.get_command(None, command)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

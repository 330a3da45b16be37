"""The ``planvalidator`` command: the click group :func:`main` (the entry point ``planvalidator.cli:main``)
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

import click

from planvalidator import __version__
from planvalidator.cli.batching import batch
from planvalidator.cli.catalogue import programs, rules
from planvalidator.cli.checking import annotate, check
from planvalidator.cli.click_ja import name_the_parts
from planvalidator.cli.common import EXIT_CANNOT_CHECK, EXIT_CLEAN, EXIT_FINDINGS
from planvalidator.cli.excel import excel_template
from planvalidator.cli.fixing import fix
from planvalidator.cli.plans import export, fill
from planvalidator.cli.serving import serve
from planvalidator.cli.site import site
from planvalidator.cli.templates import template

__all__ = ["main", "EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_CANNOT_CHECK"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (check, annotate, fix, export, fill, batch, template, programs, excel_template, serve, site, rules):
    main.add_command(_command)


name_the_parts(main)

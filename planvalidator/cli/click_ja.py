"""click's own words in Japanese: help headings, usage errors, the messages of its parameter types.

click marks every message it prints with gettext (``_("Usage:")``, ``ngettext(...)``) but ships no
translations, so a user who mistypes an option reads 「Error: No such option '--frobnicate'」. This module
gives click a catalogue of its messages (click 8.1–8.3 and 8.5 word them alike) and puts it where each
click module looks its words up, once, before any command runs. A message not in the catalogue stays as
click writes it (a newer click's new message is English, never lost); tests/test_cli.py runs every command
with a wrong option, a missing argument and a missing file and holds each line of the answer to Japanese.
"""

from __future__ import annotations

import gettext
import importlib

import click

MESSAGES = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終わります。",
    "Show the version and exit.": "バージョンを表示して終わります。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "説明は「{command} {option}」で表示できます。",
    "No such option {name!r}.": "「{name}」というオプションはありません。",
    "No such option: {name}": "「{name}」というオプションはありません。",
    "No such command {name!r}.": "「{name}」というコマンドはありません。",
    "No such command '{name}'.": "「{name}」というコマンドはありません。",
    "Did you mean {possibility}?": "{possibility} のことですか?",
    "(Did you mean one of: {possibilities}?)": "（{possibilities} のどれかのことですか?）",
    "(Possible options: {possibilities})": "（使えるオプション: {possibilities}）",
    "Missing command.": "コマンドを指定してください。",
    "Missing argument": "次の引数がありません:",
    "Missing option": "次のオプションがありません:",
    "Missing parameter": "次の値がありません:",
    "Missing parameter: {param_name}": "値がありません: {param_name}",
    "Missing {param_type}": "{param_type}がありません",
    "Missing argument '{name}'.": "引数 {name} がありません。",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Option {name!r} does not take a value.": "オプション {name} には値を付けません。",
    "Option {name!r} requires an argument.": "オプション {name} には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": "オプション {name} には {nargs} 個の値が必要です。",
    "Argument {name!r} takes {nargs} values.": "引数 {name} には {nargs} 個の値が必要です。",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "Aborted!": "中止しました。",
    "unknown error": "不明なエラー",
    "Could not open file {filename!r}: {message}": "ファイル「{filename}」を開けません: {message}",
    "default: {default}": "既定: {default}",
    "required": "必須",
    "env var: {var}": "環境変数: {var}",
    "file": "ファイル",
    "directory": "フォルダ",
    "path": "パス",
    "{name} {filename!r} does not exist.": "{name}「{filename}」がありません。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」はフォルダです（ファイルを指定してください）。",
    "{name} {filename!r} is a file.": "{name}「{filename}」はファイルです（フォルダを指定してください）。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」を読めません（権限）。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」に書き込めません（権限）。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」を実行できません。",
    "{value!r} is not {choice}.": "「{value}」は使えません（{choice}）。",
    "{value!r} is not one of {choices}.": "「{value}」は使えません（{choices} のどれか）。",
    "{value!r} is not a valid {number_type}.": "「{value}」は数ではありません。",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value} は真偽値ではありません（使える値: {states}）",
    "Choose from:\n\t{choices}": "次から選んでください:\n\t{choices}",
    "integer": "整数",
    "float": "数",
}

# click's modules that print words, each with its own ``_`` (and ``ngettext``) from gettext
_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
            "click.types", "click.termui", "click.utils")


class _Japanese(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return MESSAGES.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def install() -> None:
    """Give click's modules the Japanese catalogue (idempotent)."""
    words = _Japanese()
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:                 # a click without that module
            continue
        if hasattr(module, "_"):
            module._ = words.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = words.ngettext


# the names shown for the commands' arguments in 「使い方:」 (click would show the parameter's name in capitals)
ARGUMENTS = {"files": "ファイル", "file": "ファイル", "intake": "受付フォルダ", "code": "規則", "output": "出力",
             "candidate": "新しい様式", "old": "前の様式", "new": "新しい様式", "version": "版", "source": "ブック"}


def name_the_parts(command: click.Command) -> None:
    """「使い方:」 in Japanese too: [オプション], コマンド [引数]..., and each argument by its Japanese name."""
    command.options_metavar = "[オプション]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "コマンド [引数]..."
        for sub in command.commands.values():
            name_the_parts(sub)
    for param in command.params:
        if isinstance(param, click.Argument) and param.metavar is None and param.name in ARGUMENTS:
            param.metavar = ARGUMENTS[param.name] + ("..." if param.nargs == -1 else "")
        elif (isinstance(param, click.Option) and param.metavar is None and not param.is_flag
              and not isinstance(param.type, click.Choice)):
            param.metavar = VALUES.get(param.type.name, param.metavar)


# the names shown for an option's value by its type (click would show TEXT, INTEGER RANGE …)
VALUES = {"text": "文字列", "integer": "整数", "integer range": "整数", "float": "数", "float range": "数",
          "path": "パス", "filename": "ファイル", "boolean": "真偽値"}

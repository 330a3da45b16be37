"""``planvalidator serve``: the check page and Excel on the web's endpoint (planvalidator.server)."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import EXIT_CANNOT_CHECK


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="名前",
              help="ページを開くときのアドレス（Host）として受け付ける名前を足す（既定: --host から決まる名前。* ですべて）")
def serve(host, port, allow_hosts):
    """チェックのページ（ブラウザー用）と Excel on the web 用のサーバーを起動します。

    http://HOST:PORT/ がチェックのページ（ブックをドロップすると指摘と金額のまとめを示し、指摘を書き込んだ
    ブックをダウンロードできる）、POST /api/check と /api/annotate がその JSON API です。別途
    planvalidator のフォルダで pip install ".[server]" が必要です。Excel on the web のアドイン（manifest は
    http://HOST:PORT/manifest.xml）だけは xlwings のライセンスキー（環境変数 XLWINGS_LICENSE_KEY）が必要です。

    待ち受けるのは既定で 127.0.0.1（このマシンの中から）だけです。ページを開くアドレス（Host）は --host から
    決まる名前だけを受け付けます（別の名前で届くリクエストは 421）。1 件のリクエストの大きさと時間には上限があり
    （planvalidator/limits.py）、チェックは時間を過ぎると止まる別のプロセスで動き、リクエストの間に何も残さず、
    ディスクに何も書きません。

    \b
    例:
      planvalidator serve --port 8000
      XLWINGS_LICENSE_KEY=noncommercial planvalidator serve --port 8000
    """
    import os

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        click.echo(f"planvalidator: {SERVER_PACKAGES}", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    problem = port_problem(host, port)
    if problem:
        click.echo(f"planvalidator: {problem}", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"planvalidator: {host} で待ち受けます（このマシンの外からも届きます）", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"planvalidator: チェックのページ: http://{shown}:{port}/", err=True)
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        click.echo("planvalidator: Excel on the web のアドイン（/xlwings/check）には xlwings のライセンスキー"
                   "（環境変数 XLWINGS_LICENSE_KEY。非営利なら noncommercial）が必要です（ページには不要）", err=True)
    from planvalidator.server import serve as run
    try:
        run(host, port, allow_hosts=allow_hosts)
    except SystemExit as exc:               # uvicorn could not start after all (the port taken meanwhile …)
        if exc.code not in (0, None):
            click.echo(f"planvalidator: {port_problem(host, port) or 'サーバーを起動できませんでした'}", err=True)
            sys.exit(EXIT_CANNOT_CHECK)
        raise


SERVER_PACKAGES = ('サーバーには追加のパッケージ（fastapi・uvicorn・multipart）が必要です: planvalidator のフォルダで '
                   'pip install ".[server]"')


def port_problem(host: str, port: int) -> str | None:
    """Why the server cannot listen on host:port, as one Japanese line (None: it can) — asked before the page's
    address is printed, so a busy port is one line and exit 2, not the URL then uvicorn's English error."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, OverflowError):
        return f"--host {host}: このマシンで待ち受けられるアドレスではありません"
    family, kind, proto, _name, address = infos[0]
    try:
        probe = socket.socket(family, kind, proto)
    except OSError as exc:                  # (an IPv6 address on a machine without IPv6 …)
        return f"--host {host}: このマシンで待ち受けられるアドレスではありません（{exc.strerror or type(exc).__name__}）"
    with probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)    # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"ポート {port} はほかのプログラム（別の planvalidator serve など）が使っています。"
                        f"--port で別の番号を指定してください（例: --port {port + 1}）")
            if exc.errno in (errno.EACCES, errno.EPERM):
                return f"ポート {port} で待ち受ける権限がありません（1024 より小さい番号は管理者だけ。例: --port 8000）"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"--host {host}: このマシンのアドレスではありません"
            return f"{host}:{port} で待ち受けられません（{exc.strerror or type(exc).__name__}）"
    return None

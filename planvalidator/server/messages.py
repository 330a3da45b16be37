"""What the server says, in Japanese: every answer that is not a result is one of these lines."""

TOO_LARGE = "リクエストが大きすぎます（上限 {limit}）。"
TOO_SLOW = "チェックが制限時間（{seconds:g} 秒）内に終わりませんでした。しばらくしてからもう一度お試しください。"
BUSY = "サーバーが混み合っています。{seconds} 秒ほどしてからもう一度お試しください。"
BAD_HOST = "このサーバーはこのアドレス（Host: {host}）では使えません。サーバーを起動したときのアドレスで開いてください。"
BAD_JSON = "リクエストの本文が JSON として読めません。"
NOT_A_BOOK = "リクエストが xlwings のブックのデータではありません（{what}）。"
NO_LICENSE = "サーバーに xlwings のライセンスキー（XLWINGS_LICENSE_KEY）が設定されていません。"
CRASHED = ("チェック中に処理が異常終了しました。ファイルが壊れているか、細工されている可能性があります"
           "（Excel で開いて保存し直してから、もう一度お試しください）。")
NOT_AN_UPLOAD = "リクエストがファイルのアップロード（multipart/form-data の file 欄）ではありません（{what}）。"
NOTHING_UPLOADED = "ファイルが送られていません（multipart/form-data の file 欄に 1 つのブックを入れてください）。"


def detail(text: str) -> dict:
    """The JSON body of an error answer: one Japanese line."""
    return {"detail": text}


# uvicorn's own log lines, as a staff member running `planvalidator serve` reads them: its INFO lines (startup,
# each request) are not shown — `serve` prints the page's address itself and logs no request — and the
# warnings and errors it does show are put in Japanese where known (the rest keep uvicorn's words).
SERVER_LOG = {
    "Invalid HTTP request received.": "HTTP として読めないリクエストを受け取りました（答えずに閉じました）",
    "Exception in ASGI application\n": "リクエストの処理中に内部エラーが起きました",
    "Exception in ASGI application": "リクエストの処理中に内部エラーが起きました",
    "Unsupported upgrade request.": "対応していない接続の切り替えの要求を受け取りました（無視しました）",
    "No supported WebSocket library detected. Please use \"pip install 'uvicorn[standard]'\", or install "
    "'websockets' or 'wsproto' manually.": "WebSocket には対応していません（無視しました）",
    "Application startup failed. Exiting.": "サーバーを起動できませんでした",
    "Cancel %s running task(s), timeout graceful shutdown exceeded": "終わらない %s 件の処理を止めて終了します",
    "ASGI callable returned without starting response.": "応答を返さずに終わったリクエストがあります（内部エラー）",
    "ASGI callable returned without completing response.": "応答の途中で終わったリクエストがあります（内部エラー）",
}

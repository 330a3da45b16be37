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

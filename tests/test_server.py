"""Excel on the web: the xlwings Server endpoint answers a real payload over HTTP."""

import pytest

from helpers import EXAMPLE
from test_xl import TYPED
from xl_payload import payload

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from planvalidator.server import create_app  # noqa: E402


@pytest.fixture
def client():
    return TestClient(create_app())


def test_check_endpoint_returns_the_actions(client):
    answer = client.post("/xlwings/check", json=payload(EXAMPLE, edits=TYPED))
    assert answer.status_code == 200
    acts = answer.json()["actions"]
    notes = [a["args"][0] for a in acts if a["func"] == "addNote"]
    assert notes == ["$L$6", "$F$8", "$M$11", "$N$16"]
    assert sum(a["func"] == "addConditionalFormat" for a in acts) == 4
    assert any(a["func"] == "addSheet" and a["args"] == [0, "チェック結果"] for a in acts)


def test_a_book_that_is_not_the_template_gets_a_clear_answer(client):
    p = payload(EXAMPLE)
    p["sheets"] = p["sheets"][:1]
    p["sheets"][0]["values"] = [["メモ"]]
    answer = client.post("/xlwings/check", json=p)
    assert answer.status_code == 400 and "様式" in answer.json()["detail"]


def test_manifest_and_task_pane():
    client = TestClient(create_app(), base_url="https://check.example.jp")
    manifest = client.get("/manifest.xml").text
    assert "<SourceLocation DefaultValue=\"https://check.example.jp/taskpane.html\"/>" in manifest
    pane = client.get("/taskpane.html").text
    assert "申請書をチェック" in pane and "https://check.example.jp/xlwings/check" in pane
    icon = client.get("/icon-32.png")
    assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")

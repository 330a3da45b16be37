"""The keyword matcher with the program's own lists (schemas/r7/program.yaml): both directions.

The workbook-level tests (test_rules_expenses.py) show the finding lands at the right cell; these
cover more wordings quickly.
"""

import pytest

from support.helpers import ROOT
from planvalidator.program import load_program

PROGRAM = load_program(ROOT / "schemas" / "r7")


def severity(family, text, context="", *, reading=None):
    hit = PROGRAM.keywords(family).find(text, context=context, reading=reading)
    return hit.severity if hit else None


def japanese(folded):
    from planvalidator.japanese import read
    return read(folded, PROGRAM.reading_vocabulary)


@pytest.mark.parametrize("text, expected", [
    ("ﾉｰﾄﾊﾟｿｺﾝ", "error"),                 # 半角カナ
    ("デスクトップＰＣ一式", "error"),
    ("Chromebook", "error"),
    ("ThinkPad X1", "error"),
    ("レッツノート", "error"),
    ("Galaxy Tab S9", "error"),
    ("タブレット端末（営業用）", "error"),
    ("iPhone 15", "error"),
    ("スマホ", "error"),
    ("ガラケー", "error"),
    ("コピー機", "error"),
    ("トナーカートリッジ", "error"),
    ("ボールペン・付箋", "error"),
    ("Office 365 年間ライセンス", "error"),
    ("一太郎", "error"),
    ("パワーポイント", "error"),
    ("MAC アドレス管理ツール", None),
    ("UPC バーコード", None),
    ("PC-9801互換ボード", None),
    ("APC 無停電電源装置", None),
    ("PCR 検査キット", None),
    ("ポリカーボネート（PC）板", None),
    ("錠剤タブレットの成形型", None),
    ("Surface Mount 実装治具", None),
    ("Excel VBA 開発委託", None),
    ("ワークステーション", "warning"),
    ("PC（ノート型）", "error"),
    ("Mac Book Pro", "error"),
    ("アイパッド", "error"),
    ("スマートホン", "error"),
    ("デジタルカメラ（記録用）", "warning"),
    ("軽トラック", "error"),                   # a vehicle: 汎用性があり助成対象事業以外に使用できる (5. の注)
    ("自動車部品の試作", None),
    ("キッチンカー（自動車）改造", None),
    ("エクセル", "warning"),
])
def test_general_purpose_wordings(text, expected):
    assert severity("general_purpose", text) == expected
    assert severity("general_purpose", text, reading=japanese) == expected     # read as Japanese too


@pytest.mark.parametrize("family, text, expected", [
    ("general_purpose", "パソコンは自社負担", None),
    ("general_purpose", "パソコンを除く", None),
    ("indirect", "消費税抜き", None),
    ("indirect", "消費税（10%）", "error"),
    ("indirect", "送金手数料", "error"),
    ("indirect", "水道光熱費", "error"),
    ("indirect", "携帯電話料金", "error"),
    ("indirect", "光熱費の低減効果を測定", None),
    ("filing_fee", "特許庁への手数料", "error"),
    ("filing_fee", "商標登録料", "error"),
    ("filing_fee", "弁理士手数料", None),
    ("inappropriate", "慰労会", "warning"),
    ("inappropriate", "接待費", "warning"),
    ("inappropriate", "飲食業界向け調査", None),
    ("tax_included", "内税", "warning"),
    ("tax_included", "税込（税抜 100,000 円で計上）", None),
    ("whole_outsourcing", "開発業務を丸投げ", "warning"),
    ("whole_outsourcing", "成分分析の委託", None),
])
def test_other_families(family, text, expected):
    assert severity(family, text) == expected


def test_the_rest_of_the_row_can_make_a_word_unsure():
    # 「文具」 in a row about developing new stationery is not a stationery purchase for sure
    assert severity("general_purpose", "木製文具", context="新商品の試作") == "warning"
    assert severity("general_purpose", "木製文具") == "error"


# --- read as Japanese (SudachiPy): whole words, and the object of the expense --------------------

@pytest.mark.parametrize("text, expected", [
    ("運搬用軽バン", "error"),                                    # a van, whatever it carries
    ("社用車（営業用）", "error"),
    ("中古トラック 1台", "error"),
    ("キッチンカーの製作", None),                                 # the exception 高付加価値化 names
    ("プリンタブルエレクトロニクス用インク", None),               # not a printer: a longer word
    ("スマホで読み取るQRコード付きリーフレットの印刷", None),     # a print job that mentions a phone
    ("iPad用スタンドの試作", None),                               # a job on a stand
    ("タブレット用スタンド", "warning"),                          # a stand bought for a tablet: an accessory?
    ("プリンタ用インク", "warning"),
    ("ワード・エクセル ライセンス", "error"),                     # document software for sure
    ("ノートPC（データ解析用）", "error"),
    ("データ解析用ノートPC 2台", "error"),
    ("パソコンの購入", "error"),
    ("iPad Pro 12.9インチ", "error"),
    ("ノートPCのレンタル", "warning"),                            # a rental: what it is for decides (PV102)
    ("ぱそこん（ノート）", "error"),                               # the reading in hiragana
    ("すまほ 2台", "error"),
    ("すまほけーす", None),                                        # part of a longer hiragana word
    ("一式（パソコン）", "error"),                                 # the brackets name what the set is
    ("検査装置一式（制御用PC含む）", "warning"),                  # a PC comes with it (制御用: not for sure)
    ("リーフレット（スマホ用QRコード付き）", None),                # a QR code comes with it, for phones
    ("自動車部品の試作", None),
])
def test_the_object_of_the_expense_decides(text, expected):
    assert severity("general_purpose", text, reading=japanese) == expected


def test_without_the_analyser_the_words_alone_decide():
    """Where SudachiPy cannot be installed (Pyodide), the rules still run on the words: a longer
    word is then not told apart, which is why the reading is the default."""
    assert severity("general_purpose", "ノートPC（データ解析用）") == "error"
    assert severity("general_purpose", "運搬用軽バン") == "error"


# --- valid rows a review wrote the way applicants write them: no error (read as Japanese) ---------

@pytest.mark.parametrize("family, text, expected", [
    ("indirect", "税抜（消費税10%）", None),                     # the tax is named only to be left out
    ("indirect", "消費税は含みません", None),
    ("indirect", "振込手数料は当社負担", None),
    ("indirect", "収入印紙は不要", None),
    ("indirect", "電気代は主催者負担", None),
    ("filing_fee", "出願料（印紙代）を除く", None),               # the negation after the bracket
    ("indirect", "通信費削減サービスの市場調査", None),           # a survey about it
    ("indirect", "ガス代替燃料の試作原料", None),                 # not ガス代
    ("already_ordered", "前回試作時に購入した材料と同仕様", "warning"),   # another purchase, mentioned
    ("already_ordered", "購入済みの設備は使用しない", None),
    ("general_purpose", "UVプリンタ", None),                      # 5.※(5) is the office printer
    ("general_purpose", "大判プリンター（看板製作用）", None),
    ("general_purpose", "スマホスタンド試作用ABS樹脂", None),     # for a prototype, not for a phone
    ("general_purpose", "自動車用シートカバー", None),            # a vehicle part
    ("inappropriate", "手土産用菓子の試作原料", None),            # a product, not a gift
    ("inappropriate", "ゴルフボール試作用ゴム材", None),
    ("inappropriate", "飲食の提供なし", None),
    ("filing_fee", "外国出願費用（米国）", None),
])
def test_valid_rows_as_applicants_write_them(family, text, expected):
    assert severity(family, text, reading=japanese) == expected



# --- products named by brand, line and model number; indirect costs in other words (issue 22) ------------

@pytest.mark.parametrize("text, expected", [
    ("ThinkPad X1 Carbon Gen 11", "error"),           # a model number stays with its line
    ("iPhone 15 Pro", "error"),
    ("MFC-L2750DW", "error"),                         # a model prefix (schemas/expenses.yaml models)
    ("ＭＦＣ－Ｊ７３８ＤＮ", "error"),                    # full-width
    ("EW-M754TW", "error"),
    ("ハイエース バン DX", "error"),                   # 「バン」, which the dictionary reads as an adverb
    ("ﾊｲｴｰｽ（中古）", "error"),                        # half-width katakana
    ("Galaxy S24 Ultra", "error"),
    ("Google Pixel 8a", "error"),
    ("Dell Latitude 5440", "error"),
    ("Latitude 7440（出張用）", "error"),
    ("Canon imageRUNNER ADVANCE DX C3826F", "error"),
    ("RICOH IM C3010", "error"),
    ("Microsoft Office Home & Business 2021", "error"),
    ("Ｎ－ＶＡＮ", "error"),
    ("EP-M553T", "error"),
    ("ＥＰ－８８５ＡＷ", "warning"),                     # 「EP-」 with digits: other products have such numbers too
    ("弥生会計 オンライン", "warning"),                  # business software: general, but not 文書作成ソフト
    ("ハイエース（移動販売用に架装）", "warning"),        # maybe a 特種用途自動車
    ("GALLERIA（解析用）", "warning"),                   # the name without a model number
    # the same words in other senses, and products being developed: no finding
    ("Galaxy（銀河）柄のパッケージデザイン", None),
    ("arrows（矢印）アイコンのデザイン", None),
    ("XPS分析（表面組成）", None),
    ("マスフローコントローラー MFC-100", None),          # not a Brother model (MFC-L/J/T/B …)
    ("エポキシ接着剤 EP-160", None),
    ("イメージセンサ（画素ピッチ pixel 3μm）", None),
    ("インスタント食品の試作原料", None),                # not タント
    ("スクラム開発の研修講師謝金", None),
    ("全国キャラバン（販促イベント）の会場費", None),
    ("アクア（水）関連製品の市場調査", None),
    ("フリードリンク付き試飲会の会場費", None),
    ("キャリーケースの試作", None),
    ("Latitude（緯度）計測機能の設計", None),
    ("海外展示会 Japan Pavilion 出展料", None),
    ("iPhone 15対応防水ケースの試作品製作", None),       # past the model number: 対応
    ("マネーフォワード クラウド会計", "warning"),        # not 「ワード」
])
def test_products_by_name_in_both_readings(text, expected):
    assert severity("general_purpose", text) == expected
    assert severity("general_purpose", text, reading=japanese) == expected


@pytest.mark.parametrize("text, expected", [
    ("iPhoneケースの試作", None),                       # a job on a case
    ("複合機能センサーの開発", None),
    ("ハイエース用ルーフキャリアの試作", None),
    ("PIXUS対応インクの成分分析", None),
    ("PIXUS用インク（純正）", "warning"),               # bought for a printer (like プリンタ用インク)
    ("カローラ ツーリング", "error"),                   # an edition after the line (expense_reading.edition_words)
    ("一太郎2024 プレミアム", "error"),
    ("Apple iPad 10.9インチ Wi-Fi 64GB", "error"),
    ("iPad（第10世代）Wi-Fiモデル 2台", "error"),        # a bracket inside the name is an aside
    ("画像検査装置一式（ThinkCentre 組込み）", "warning"),  # built in: comes with the set
    ("BASIO active", "error"),                         # a Latin word is a name whatever its tag
    ("iPhone 15 Pro Max ケース", None),                 # the case, not the phone
    ("ハイエース ルーフキャリア", None),
    ("PC樹脂ペレット", None),
    ("2tトラック", "error"),
    ("MS365 Business Standard 年間契約", "error"),
])
def test_a_product_line_is_the_object_with_its_model_and_edition(text, expected):
    assert severity("general_purpose", text, reading=japanese) == expected


def test_the_reader_keeps_a_model_number_with_its_line():
    for text in ("mfc-l2750dw", "ew-m754tw", "iphone 15 pro", "ハイエース バン dx", "ms office home & business",
                 "n-van", "スマートフォン f-52b"):
        reading = japanese(text)
        assert [text[s:e] for s, e, _h in reading.objects] == [text], text
    reading = japanese("thinkpad x1 carbon gen 11")             # (a number at the end is read as a count)
    assert reading.is_object(0, len("thinkpad")) and reading.objects[0][:2] == (0, len("thinkpad x1 carbon gen"))


@pytest.mark.parametrize("family, text, expected", [
    ("indirect", "契約書の印紙", "error"),                # 収入印紙 written without 収入
    ("indirect", "印紙代（発注書・請書）", "error"),
    ("indirect", "特許印紙代", None),                    # a patent stamp: PV104, not 収入印紙
    ("filing_fee", "特許印紙代", "error"),
    ("indirect", "商標出願の印紙代", None),
    ("filing_fee", "商標出願の印紙代", "error"),
    ("filing_fee", "特許出願時の印紙代", "error"),
    ("indirect", "送金料（海外送金）", "error"),          # 振込手数料 in other words
    ("indirect", "払込手数料", "error"),
    ("indirect", "決済手数料（Stripe）", "warning"),      # 「等」: what the fee is for decides
    ("indirect", "為替手数料", "warning"),
    ("indirect", "銀行手数料（海外送金）", "error"),      # a remittance fee after all
    ("indirect", "携帯電話の月額料金", "error"),          # 通信費 (mobile_charge: with_after)
    ("indirect", "スマホの月額利用料", "error"),
    ("indirect", "ドコモ回線 月額基本料", "error"),
    ("indirect", "ｹｰﾀｲ料金", "error"),
    ("indirect", "携帯電話（営業用）", None),              # the phone itself is PV102
    ("indirect", "携帯型通信機器の試作部品", None),
    ("indirect", "SIMカードスロット付き基板の試作", None),
    ("general_purpose", "携帯電話の月額料金", None),      # a bill, not a phone
])
def test_indirect_costs_in_other_words_in_both_readings(family, text, expected):
    assert severity(family, text) == expected
    assert severity(family, text, reading=japanese) == expected


def test_a_category_may_name_product_lines_by_model_only(tmp_path):
    from planvalidator.expense_vocabulary import ExpenseVocabularyError, vocabulary
    from planvalidator.keywords import KeywordSet

    path = tmp_path / "expenses.yaml"
    path.write_text("categories:\n  printer_model:\n    label: プリンタ\n    models: [mfc-l]\n", encoding="utf-8")
    words = KeywordSet.of(vocabulary(path), ["printer_model"])
    assert words.find("ブラザー MFC-L2750DW").found == "MFC-L2750DW"
    assert words.find("MFC（マスフローコントローラー）") is None
    empty = tmp_path / "empty.yaml"
    empty.write_text("categories:\n  nothing:\n    label: 何か\n", encoding="utf-8")
    with pytest.raises(ExpenseVocabularyError, match="terms"):
        vocabulary(empty)


def _vocabulary_texts():
    """Texts made of the program's own terms as applicants write them (in 半角, in hiragana, with spaces, in
    longer words, cut short), and texts with none of them."""
    def hiragana_of(text):
        return "".join(chr(ord(ch) - 0x60) if "\u30a1" <= ch <= "\u30f6" else ch for ch in text)

    terms = sorted({t for family in PROGRAM.spec.keywords for g in PROGRAM.keywords(family).groups
                    for t in g.terms + g.models})
    texts = ["", "試作用の金型", "外注 デザイン費", "展示会の出展料", "原材料（アルミ板）", "令和7年10月 発注"]
    for term in terms[::3]:
        texts += [term, term.upper() + "の購入", f"開発用 {term}（1台）", term[:-1], hiragana_of(term),
                  term.replace("", " ").strip()]
    return texts


def test_the_union_of_the_families_holds_back_only_texts_no_family_could_match():
    union = PROGRAM.keyword_union()
    families = [PROGRAM.keywords(family) for family in PROGRAM.spec.keywords]
    texts = _vocabulary_texts()
    passed = [union.could_match(t) for t in texts]
    assert any(passed) and not all(passed)
    for text, through in zip(texts, passed):
        if not through:
            assert not any(words.could_match(text) for words in families), text
            assert all(words.find(text) is None for words in families), text
        else:
            assert any(words.could_match(text) for words in families), text


def test_the_union_answers_the_same_before_and_after_its_alternation_is_compiled():
    from planvalidator.keywords import _ASKED_BEFORE_COMPILING, bare, union

    fresh = union(PROGRAM.keywords(family) for family in PROGRAM.spec.keywords)     # (not yet asked)
    distinct = _vocabulary_texts()
    expected = {t: any(literal in bare(t) for literal in fresh.literals) for t in distinct}
    texts = distinct * (_ASKED_BEFORE_COMPILING // len(distinct) + 2)     # (asked more often than that)
    before = [fresh.could_match(t) for t in texts[:_ASKED_BEFORE_COMPILING]]
    assert fresh._any is None
    after = [fresh.could_match(t) for t in texts[_ASKED_BEFORE_COMPILING:]]
    assert fresh._any is not None and set(texts[_ASKED_BEFORE_COMPILING:]) == set(distinct)
    assert before + after == [expected[t] for t in texts]


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """An empty user cache, and no vocabulary (nor its folded words) remembered by this process."""
    from planvalidator.expense_vocabulary import vocabulary

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    vocabulary.cache_clear()
    yield tmp_path / "cache" / "planvalidator"
    vocabulary.cache_clear()


def _foldings(monkeypatch) -> list:
    from planvalidator import expense_vocabulary

    calls, real = [], expense_vocabulary._fold_words
    monkeypatch.setattr(expense_vocabulary, "_fold_words", lambda v: calls.append(v.path) or real(v))
    return calls


def test_the_folded_vocabulary_is_kept_in_the_cache_as_folding_gives_it(own_cache, monkeypatch):
    from planvalidator import expense_vocabulary as words
    from planvalidator.expense_vocabulary import vocabulary

    calls = _foldings(monkeypatch)
    first = vocabulary().folded_words
    assert len(calls) == 1 and list(own_cache.glob("keywords-*.json"))
    vocabulary.cache_clear()                                # (a new process)
    again = vocabulary().folded_words
    assert len(calls) == 1                                  # read back, not folded again
    assert again == first == words._fold_words(vocabulary())
    assert "パソコン" in again["categories"]["pc"]["terms"]             # (katakana, as texts are matched)


def test_a_vocabulary_written_again_is_folded_again_and_a_damaged_entry_made_again(own_cache, tmp_path, monkeypatch):
    from planvalidator.expense_vocabulary import vocabulary
    from planvalidator.keywords import KeywordSet

    path = tmp_path / "expenses.yaml"
    path.write_text("categories:\n  pc:\n    label: パソコン\n    terms: [ﾊﾟｿｺﾝ]\n", encoding="utf-8")
    assert KeywordSet.of(vocabulary(path), ["pc"]).find("ぱそこん（開発用）").severity == "error"
    path.write_text("categories:\n  pc:\n    label: パソコン\n    terms: [ＴＡＢＬＥＴ]\n", encoding="utf-8")
    vocabulary.cache_clear()
    words = KeywordSet.of(vocabulary(path), ["pc"])
    assert words.find("ぱそこん（開発用）") is None and words.find("tablet 1台").found == "tablet"
    for entry in own_cache.glob("keywords-*.json"):
        entry.write_bytes(b'{"__file__": "damaged')
    vocabulary.cache_clear()
    calls = _foldings(monkeypatch)
    assert KeywordSet.of(vocabulary(path), ["pc"]).find("Tablet 1台").found == "Tablet"
    assert calls == [path]

"""Every normalisation of what applicants really type."""

import datetime as dt

import pytest

from planvalidator import normalize as n


@pytest.mark.parametrize("raw, expected", [
    ("２４０，０００", 240000),
    ("240,000円", 240000),
    ("２４０，０００円", 240000),
    ("¥240,000", 240000),
    (" 240000 ", 240000),
    ("240 000", 240000),
    (240000.0, 240000),
    (240000, 240000),
    ("△1,000", -1000),
])
def test_yen_as_applicants_write_it(raw, expected):
    assert n.to_int(raw) == expected


@pytest.mark.parametrize("raw", ["約5万円", "5万", "abc", "1,000.5", True])
def test_unreadable_or_fractional_yen(raw):
    with pytest.raises(n.Unreadable):
        n.to_int(raw)


def test_blank_is_none():
    assert n.to_int("  ") is None and n.to_int(None) is None and n.to_date("\u3000") is None


@pytest.mark.parametrize("raw, expected", [
    ("令和7年10月1日", dt.date(2025, 10, 1)),
    ("令和７年１０月１日", dt.date(2025, 10, 1)),
    ("R7.10.1", dt.date(2025, 10, 1)),
    ("r7.10.1", dt.date(2025, 10, 1)),
    ("R07/10/01", dt.date(2025, 10, 1)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("2025/10/1", dt.date(2025, 10, 1)),
    ("2025年10月1日", dt.date(2025, 10, 1)),
    ("2025-10-01", dt.date(2025, 10, 1)),
    (45931, dt.date(2025, 10, 1)),          # Excel serial
    (45931.0, dt.date(2025, 10, 1)),
    ("45931", dt.date(2025, 10, 1)),
    (dt.datetime(2025, 10, 1, 0, 0), dt.date(2025, 10, 1)),
])
def test_dates(raw, expected):
    assert n.to_date(raw) == expected


@pytest.mark.parametrize("raw", ["10月上旬", "令和7年2月30日", "2025/13/1", "交付決定後"])
def test_unreadable_dates(raw):
    with pytest.raises(n.Unreadable):
        n.to_date(raw)


@pytest.mark.parametrize("raw, expected", [
    ("2024年3月", (2024, 3)), ("R6.3", (2024, 3)), ("令和6年3月", (2024, 3)), ("2024/3", (2024, 3)),
    (dt.datetime(2024, 3, 31), (2024, 3)),
])
def test_year_month(raw, expected):
    assert n.to_year_month(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("１年目", "1年目"),
    (" 1年目 ", "1年目"),
    ("試作･開発費", "試作・開発費"),          # 半角中黒
    ("ｶﾌﾞｼｷｶﾞｲｼｬ", "ｶﾌﾞｼｷｶﾞｲｼｬ"),          # not a choice: left as typed
    ("７　中小企業等による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援",
     "7 中小企業等による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援"),
])
def test_list_values_up_to_width_and_spaces(raw, expected):
    choices = ["1年目", "2年目", "試作・開発費",
               "7 中小企業等による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援"]
    assert n.to_choice(raw, choices) == expected


def test_text_strips_spaces_and_float_artifacts():
    assert n.to_text("  能登 太郎\u3000") == "能登 太郎"
    assert n.to_text(1200001012345.0) == "1200001012345"


def test_labels_compare_without_numbering_width_or_spaces():
    assert n.label_canon("１．申請者") == n.label_canon("申請者")
    assert n.label_canon("① 事業計画書") == n.label_canon("事業計画書")
    assert n.label_canon("1年目\u3000計") == n.label_canon("1年目 計")   # a number that is not numbering


def _outcome(read, text):
    try:
        return read(text)
    except n.Unreadable as exc:
        return ("unreadable", str(exc))


@pytest.mark.parametrize("name", ["kinyurei-r7.xlsx", "jigyo-keikakusho-r7.xlsx"])
def test_remembered_date_texts_read_as_when_worked_out(name):
    """to_date remembers what a text reads as: every text of the official files (and the usual date
    forms, and the unreadable) reads the same the first time, again, and worked out without remembering."""
    from planvalidator.resources import templates_dir
    from planvalidator.workbook import load_grid

    grid = load_grid(templates_dir() / "r7" / name)
    texts = {v for sheet in grid.sheets.values() for v in sheet.values.values() if isinstance(v, str)}
    texts |= {"2025/10/1", "令和7年10月1日", "R7.10.1", "45000", "9999999", "2025-13-40", "x" * 50}
    for text in sorted(texts):
        if n.is_blank(text):
            continue
        safe = _outcome(n._text_date, text)         # (the reading itself, never remembered)
        first, again = _outcome(n.to_date, text), _outcome(n.to_date, text)
        expected = ("unreadable", "日付として読めません（例: 2025/10/1、令和7年10月1日）") if safe is None else safe
        assert first == again == expected, text


def test_a_columns_outcomes_by_value_are_those_of_each_value_alone():
    """normalize.each_by_value makes each distinct value once, and gives what making every value alone
    gives: numbers of other kinds (1, 1.0, True), 0.0 and -0.0, NaN and dates with a time zone never share."""
    utc, jst = dt.timezone.utc, dt.timezone(dt.timedelta(hours=9))
    raws = [None, "", "1", "１", 1, 1.0, True, False, 0, 0.0, -0.0, float("nan"), "1年目", "1年目",
            dt.date(2025, 10, 1), dt.datetime(2025, 10, 1), dt.datetime(2025, 10, 1, 9, tzinfo=jst),
            dt.datetime(2025, 10, 1, 0, tzinfo=utc)] * 3
    calls = []

    def shown(prefix, value):
        calls.append(value)
        return f"{prefix}{value!r}:{type(value).__name__}"

    assert n.each_by_value(raws, shown, ">") == [shown(">", v) for v in raws]
    made = len(calls) - len(raws)
    assert made == 12 + 5 * 3      # the 12 distinct keyed values once; 0.0, -0.0, NaN and the zoned dates each time


@pytest.mark.parametrize("text", ["2025年10月1日", "2025年1月31日", "2025/01/05", "2025-1-1", "2025.12.31", "2025/2/30",
                                  "2025/13/1", "2025/1-1", "2025/001/1", "25/1/1", "2025年10月1", "2025/10/1x",
                                  "٢٠٢٥/١/٣", "2025/1/ 1", "0000/1/1", "2025年00月1日"])
def test_western_dates_read_as_strptime_reads_them(text):
    """The 西暦 forms are read without datetime.strptime (whose first call costs a tenth of a cold check),
    and exactly as it reads them."""
    import datetime as dt

    from planvalidator.normalize import _western

    def strptime(text):
        for fmt in ("%Y年%m月%d日", "%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                pass
        return None

    assert _western(text) == strptime(text)

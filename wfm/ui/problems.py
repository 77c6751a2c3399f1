"""A scenario's problems as the planner reads them: where to fix each, in their language.

:func:`wfm.scenario.scenario_problems` lists every problem with its TOML path and
kind; this module names the page, table and row the path belongs to (``shift[2]`` is
row 3 of the Schedule page's shift rules) and puts the library's English sentence
into Japanese when the app is in Japanese:

- problems pydantic finds on one setting are translated from their *kind* and the
  values it reports (``less_than`` with ``lt``, ``literal_error`` with ``expected``);
- every other sentence (the checks across sections, the library's ``InputError``
  messages the pages show) is matched against :data:`SENTENCES`, the English
  templates of those messages with their Japanese; a sentence no template matches
  stays English.
"""

from __future__ import annotations

import re

import streamlit as st

from wfm.scenario import Problem
from wfm.ui.i18n import lang, num, t

# pydantic's kinds of a problem on one setting -> Japanese, with its context values.
KINDS_JA = {
    "missing": "必須の設定がありません",
    "extra_forbidden": "不明な設定です (綴りを確認してください)",
    "greater_than": "{gt} より大きい値が必要です",
    "greater_than_equal": "{ge} 以上の値が必要です",
    "less_than": "{lt} 未満の値が必要です",
    "less_than_equal": "{le} 以下の値が必要です",
    "int_parsing": "整数が必要です",
    "int_type": "整数が必要です",
    "int_from_float": "整数が必要です",
    "float_parsing": "数値が必要です",
    "float_type": "数値が必要です",
    "bool_parsing": "true または false が必要です",
    "bool_type": "true または false が必要です",
    "string_type": "文字列が必要です",
    "literal_error": "{expected} のいずれかが必要です",
    "too_short": "{min_length} 個以上の値が必要です",
    "too_long": "{max_length} 個以下の値が必要です",
    "date_parsing": "日付 (YYYY-MM-DD) が必要です",
    "date_from_datetime_parsing": "日付 (YYYY-MM-DD) が必要です",
}

_P = r"(?P<place>[\w\[\].]+)"  # a TOML path such as shift[0].length_hours
_V = r"(?P<{}>.+?)"


def _v(name: str) -> str:
    return _V.format(name)


# English sentences of the library (and of the pages) -> Japanese. Each English side is the
# sentence's template as the code writes it, with its values as named groups.
SENTENCES: list[tuple[str, str]] = [
    (rf"{_P}: {_v('hours')} h is not a whole number of {_v('interval')}-minute intervals",
     "{place}: {hours} 時間は {interval} 分インターバルの整数倍ではありません"),
    (rf"{_P}: {_v('minutes')} is not a whole number of {_v('interval')}-minute intervals",
     "{place}: {minutes} 分は {interval} 分インターバルの整数倍ではありません"),
    (rf"{_P}: {_v('given')} is not on the {_v('interval')}-minute interval grid",
     "{place}: {given} は {interval} 分インターバルの区切りにありません"),
    (rf"{_P}: '{_v('name')}' is not a group name, expected one of {_v('names')}",
     "{place}: '{name}' はグループ名ではありません。{names} のいずれかを指定してください"),
    (rf"{_P}: '{_v('name')}' is used twice, expected unique names",
     "{place}: '{name}' が重複しています。名前は重複しないようにしてください"),
    (rf"{_P}: {_v('start')} is before the centre opens \({_v('open')}\), expected a start inside opening hours",
     "{place}: {start} は営業開始 ({open}) より前です。営業時間内の開始時刻を指定してください"),
    (rf"{_P}: a {_v('length')} h shift starting at {_v('start')} ends at {_v('end')}, after the centre closes "
     rf"\({_v('close')}\)",
     "{place}: {start} 開始の {length} 時間シフトは {end} に終わり、営業終了 ({close}) を過ぎます"),
    (rf"{_P}: {_v('rest')} h rest after a {_v('length')} h shift leaves no time to work the next day, expected "
     r"days_per_week = 1 or a shorter rest",
     "{place}: {length} 時間シフトの後に {rest} 時間の休息では翌日に勤務できません。"
     "days_per_week = 1 にするか休息を短くしてください"),
    (rf"{_P}: the window {_v('window')} h holds no {_v('interval')}-minute interval start",
     "{place}: {window} 時間の枠には {interval} 分インターバルの開始時刻がありません"),
    (rf"{_P}: a {_v('minutes')}-minute {_v('kind')} in the window {_v('window')} h does not fit inside the "
     rf"{_v('length')} h shift with work before and after it",
     "{place}: {window} 時間の枠の {minutes} 分の{kind}は、前後に勤務を残して {length} 時間シフトに収まりません"),
    (rf"{_P}: the window {_v('window')} h overlaps the previous break's window, expected breaks in order with "
     r"windows that cannot overlap",
     "{place}: {window} 時間の枠が前の休憩の枠と重なります。休憩は重ならない順番の枠にしてください"),
    (r"horizon: every day of the horizon is closed, expected at least one open day",
     "horizon: 計画期間のすべての日が休業です。営業日を1日以上にしてください"),
    (rf"horizon.close: {_v('close')} is not after horizon.open {_v('open')}",
     "horizon.close: {close} が horizon.open {open} より後ではありません"),
    (rf"{_P}: group '{_v('group')}' has skills '{_v('skills')}', expected an outbound or blended group",
     "{place}: グループ '{group}' のスキルは '{skills}' です。発信またはブレンドのグループを指定してください"),
    (rf"{_P}: {_v('deadline')} is before the horizon starts \({_v('start')}\), expected a date inside the horizon "
     r"or later",
     "{place}: {deadline} は計画期間の開始 ({start}) より前です。期間内以降の日付を指定してください"),
    (rf"{_P}: {_v('start')} is after its deadline {_v('deadline')}",
     "{place}: {start} は期限 {deadline} より後です"),
    (rf"{_P}: no group has outbound or blended skills to place its calls",
     "{place}: 発信を担当できる発信またはブレンドのグループがありません"),
    (rf"{_P}: '{_v('text')}' is not a number or a list such as 8 or 4, 6",
     "{place}: '{text}' は数値でも 8 や 4, 6 のような数値の並びでもありません"),
    (rf"'{_v('text')}' is not a time of day, expected HH:MM such as {_v('example')}",
     "'{text}' は時刻ではありません。{example} のような HH:MM で指定してください"),
    # the Forecast page's adjustments and special days (wfm.forecast.adjust, wfm.forecast.calendar)
    (rf"{_v('source')}: row {_v('row')}, column '{_v('column')}' is '{_v('value')}', expected a number such as "
     r"15 or -30",
     "{source}: {row} 行目、列 '{column}' の '{value}' は数値ではありません。15 や -30 のような数値を指定してください"),
    (rf"{_v('source')}: row {_v('row')}, column '{_v('column')}' is {_v('value')}, expected a number greater than -100",
     "{source}: {row} 行目、列 '{column}' が {value} です。-100 より大きい数値を指定してください"),
    (rf"{_v('source')}: row {_v('row')}, column '{_v('column')}' is '{_v('value')}', expected a date such as "
     rf"{_v('example')}",
     "{source}: {row} 行目、列 '{column}' の '{value}' は日付ではありません。{example} のような日付を指定してください"),
    (rf"{_v('source')}: row {_v('row')}: end {_v('end')} is not after start {_v('start')}",
     "{source}: {row} 行目: 終了 {end} が開始 {start} より後ではありません"),
    (rf"{_v('source')}: row {_v('row')}, column '{_v('column')}' has '{_v('value')}', expected true or false",
     "{source}: {row} 行目、列 '{column}' の '{value}' は true または false ではありません"),
    (rf"{_v('source')}: row {_v('row')}, column '{_v('column')}' has '{_v('value')}', expected a number >= 0",
     "{source}: {row} 行目、列 '{column}' の '{value}' は 0 以上の数値ではありません"),
    (rf"{_v('source')}: row {_v('row')} repeats the date {_v('date')}; give each date once",
     "{source}: {row} 行目の日付 {date} が重複しています。各日付は1回だけ指定してください"),
    (rf"horizon.start: the history already covers the horizon {_v('start')} \+ {_v('days')} days; expected a "
     rf"horizon after {_v('last')}",
     "horizon.start: 履歴が計画期間 {start} から {days} 日をすでに含んでいます。{last} より後の期間を指定してください"),
    (rf"{_P}: no AHT given and the queue's data and profile have none; give seconds, e.g. aht = 240",
     "{place}: AHT が指定されておらず、キューのデータにもプロファイルにもありません。aht = 240 のように秒で指定してください"),
    (rf"'{_v('text')}' is not a time of day, expected HH:MM between 00:00 and 24:00",
     "'{text}' は時刻ではありません。00:00 から 24:00 の HH:MM で指定してください"),
    (rf"'{_v('zone')}' is not an IANA time zone, expected e.g. Asia/Tokyo",
     "'{zone}' は IANA タイムゾーンではありません。Asia/Tokyo のように指定してください"),
    (rf"{_v('days')} days is not a whole number of weeks, expected 7, 14, 21, 28 ...",
     "{days} 日は週の整数倍ではありません。7, 14, 21, 28 … を指定してください"),
    (rf"start_latest {_v('latest')} is before start_earliest {_v('earliest')}",
     "start_latest {latest} が start_earliest {earliest} より前です"),
    (r"length_hours is empty, expected at least one shift length",
     "length_hours が空です。シフトの長さを1つ以上指定してください"),
    (rf"{_v('days')} is not a range of days, expected 1 <= min <= max <= 7",
     "{days} は日数の範囲ではありません。1 <= 最小 <= 最大 <= 7 で指定してください"),
    (rf"'{_v('text')}' is not opening hours, expected e\.g\. \"09:00-18:00\" or \"closed\"",
     "'{text}' は営業時間ではありません。\"09:00-18:00\" または \"closed\" のように指定してください"),
    (rf"{_P}: is not a known setting \(check the spelling\)", "{place}: 不明な設定です (綴りを確認してください)"),
    (rf"{_P}: is missing, it is required", "{place}: 必須の設定がありません"),
    # What wfm.start changed when the plan started from an upload (shown on the Data page).
    (rf"the {_v('length')}-minute {_v('kind')} is {_v('fitted')} minutes now \(breaks are whole "
     rf"{_v('interval')}-minute intervals\)",
     "{length} 分の {kind} を {fitted} 分にしました (休憩は {interval} 分インターバルの整数倍です)"),
    (rf"the {_v('fitted')}-minute {_v('kind')} no longer fits a {_v('hours')} h shift, so it is left out",
     "{fitted} 分の {kind} は {hours} 時間のシフトに収まらないため外しました"),
    (r"no length fits the opening hours, so the rule is removed",
     "営業時間に収まるシフトの長さがないため、このシフトルールを削除しました"),
    (rf"lasts {_v('hours')} h now \(whole {_v('interval')}-minute intervals within the opening hours\)",
     "長さを {hours} 時間にしました (営業時間内の {interval} 分インターバルの整数倍)"),
    (rf"starts between {_v('earliest')} and {_v('latest')} now \(inside the opening hours {_v('open')}\)",
     "開始時刻を {earliest}〜{latest} にしました (営業時間 {open} の範囲内)"),
    (rf"one group '{_v('group')}' at the default hourly cost replaces the example's groups; set its cost on the "
     r"Schedule page",
     "例のグループの代わりに、既定の時給でグループ '{group}' を1つ作りました。時給はシフト表ページで設定してください"),
    (r"the example's outbound campaigns are left out", "例のアウトバウンドキャンペーンは外しました"),
    (r"the handle time comes from the file's AHT column", "平均処理時間 (AHT) はファイルの AHT 列から読み取ります"),
    (rf"the time zone stays the example's {_v('zone')}: the file's times are read as local time there",
     "タイムゾーンはサンプルと同じ {zone} です。ファイルの時刻はその現地時刻として読みます"),
    (rf"the time zone is {_v('zone')} now \(the example's was {_v('old')}\)",
     "タイムゾーンを {zone} にしました (サンプルは {old})"),
    (rf"the currency stays the example's {_v('currency')}", "通貨はサンプルと同じ {currency} です"),
    (rf"money figures are in {_v('currency')} now \(the example's were in {_v('old')}\)",
     "金額の通貨を {currency} にしました (サンプルは {old})"),
    (rf"money figures converted from {_v('old')} to {_v('new')} at 1 {_v('unit')} = {_v('rate')} {_v('to')}: "
     rf"{_v('figures')}",
     "金額を {old} から {new} に換算しました (1 {unit} = {rate} {to}): {figures}"),
    (rf"group '{_v('group')}': {_v('cost')} {_v('currency')} an hour, as entered",
     "グループ '{group}' の時給は入力どおり {cost} {currency} です"),
    (rf"exchange rate 1 {_v('old')} = \? {_v('new')}: not given, expected a number above 0 to convert the "
     rf"example's {_v('n')} money figures \({_v('figures')}\) from {_v('from_')} to {_v('to')}",
     "為替レート 1 {old} = ? {new} が入力されていません。サンプルの金額 {n} 件 ({figures}) を {from_} から {to} "
     "に換算するため、0 より大きい数値を入力してください"),
    (rf"exchange rate 1 {_v('old')} = \? {_v('new')}: {_v('rate')} is not a rate, expected a number above 0",
     "為替レート 1 {old} = ? {new}: {rate} はレートではありません。0 より大きい数値を入力してください"),
    (rf"hourly cost of group '{_v('group')}': {_v('cost')} is not a cost, expected a number above 0 "
     rf"\({_v('currency')} an hour\)",
     "グループ '{group}' の時給: {cost} は金額ではありません。0 より大きい数値 (1時間あたり {currency}) を入力してください"),
]
_COMPILED = [(re.compile(rf"^{english}\.?$"), japanese) for english, japanese in SENTENCES]
_GOT = re.compile(r"^(?P<body>.*) \(got (?P<got>.+)\)\.?$")


def translate(text: str) -> str:
    """A library sentence in the session's language: Japanese when a template matches.

    A leading file or section name (``bank.toml: ...``) and a trailing ``(got ...)`` are
    kept around the translated sentence.
    """
    if lang() != "ja":
        return text
    return _japanese(str(text)) or str(text)


def _japanese(text: str) -> str | None:
    text = text.strip()
    got = _GOT.match(text)
    if got:
        body = _japanese(got["body"])
        return f"{body.rstrip('。')} (入力値 {got['got']})。" if body else None
    for pattern, japanese in _COMPILED:
        found = pattern.match(text)
        if found:
            return japanese.format(**found.groupdict()) + "。"
    head, sep, rest = text.partition(": ")
    if sep and rest and len(head) <= 60:
        inner = _japanese(rest)  # a file or section name in front: keep it, translate the rest
        return f"{head}: {inner}" if inner else None
    return None


def problem_text(problem: Problem) -> str:
    """A problem's sentence in the session's language (from its kind when pydantic found it)."""
    if lang() != "ja":
        return problem.text
    template = KINDS_JA.get(problem.kind)
    if template is not None:
        values = {k: f"{v:g}" if isinstance(v, float) else v for k, v in problem.values.items()}
        try:
            said = template.format(**values)
        except (KeyError, IndexError):
            said = None
        if said is not None:
            got = f" (入力値 {problem.values['got']})" if "got" in problem.values and problem.kind not in (
                "missing", "extra_forbidden") else ""
            return f"{problem.place}: {said}{got}。"
    if problem.kind == "value_error":
        inner = _japanese(str(problem.values.get("message", "")))
        if inner:
            got = f" (入力値 {problem.values['got']})" if "got" in problem.values else ""
            return f"{problem.place}: {inner.rstrip('。')}{got}。"
    return translate(problem.text)


# TOML sections -> (page, table); rows are counted from 1 as the page's tables show them.
SECTIONS = {"horizon": ("Forecast", "Planning horizon"), "group": ("Schedule", "Agent groups"),
            "shift": ("Schedule", "Shift rules"), "campaign": ("Outbound", "Campaigns"),
            "solver": ("Schedule", None), "costs": ("Schedule", None), "verify": ("Verify", None),
            "queue": ("Staffing", None)}
_ROW = re.compile(r"^(?P<section>\w+)(?:\[(?P<row>\d+)\])?(?:\.(?P<rest>.*))?$")


def where(place: str, scenario: dict | None = None) -> tuple[str, str | None, int | None] | None:
    """``(page, table, row)`` of a TOML path, or None when no page shows it.

    ``shift[i].break[j]`` is a row of the Breaks table, which lists every shift's breaks
    one after another (``scenario`` gives how many the shifts before have).

    >>> where("shift[2].length_hours")
    ('Schedule', 'Shift rules', 3)
    >>> where("shift[1].break[0].length_minutes", {"shift": [{"break": [{}, {}]}, {"break": [{}]}]})
    ('Schedule', 'Breaks', 3)
    >>> where("queue[0].forecasting.folds"), where("horizon.open")
    (('Forecast', None, None), ('Forecast', 'Planning horizon', None))
    """
    found = _ROW.match(place or "")
    if not found or found["section"] not in SECTIONS:
        return None
    page, table = SECTIONS[found["section"]]
    row = int(found["row"]) + 1 if found["row"] is not None else None
    rest = found["rest"] or ""
    if found["section"] == "queue":
        return ("Forecast", None, None) if rest.startswith("forecasting") else ("Staffing", None, None)
    if found["section"] == "shift" and rest.startswith("break["):
        j = int(rest[len("break["):rest.index("]")])
        before = sum(len(s.get("break", [])) for s in (scenario or {}).get("shift", [])[: row - 1])
        return page, "Breaks", before + j + 1
    return page, table, row


def where_text(place: str, scenario: dict | None = None) -> str:
    """Where to fix it, translated: ``Schedule page · Shift rules, row 3``."""
    found = where(place, scenario)
    if found is None:
        return t("Scenario file")
    page, table, row = found
    if table is None:
        return t("{page} page", page=t(page))
    if row is None:
        return t("{page} page · {table}", page=t(page), table=t(table))
    return t("{page} page · {table}, row {row}", page=t(page), table=t(table), row=num(row))


def show(problems: list[Problem], framing: str, scenario: dict | None = None) -> None:
    """Every problem in one message: where each is and what is wrong, in the session's language."""
    lines = [f"- *{where_text(p.place, scenario)}*: {problem_text(p)}" for p in problems]
    head = t("{framing} ({n} problems):", framing=t(framing), n=num(len(problems))) if len(problems) > 1 \
        else t(framing) + ":"
    st.error(f"**{head}**\n\n" + "\n".join(lines))


def on_page(problems: list[Problem], page: str, table: str | None = None, scenario: dict | None = None) -> bool:
    """Whether a problem is on ``page`` (in ``table``): its section is then opened."""
    for p in problems:
        found = where(p.place, scenario)
        if found and found[0] == page and (table is None or found[1] == table):
            return True
    return False

"""English and Japanese for the app: ``t(text)`` and locale-aware number and date formats.

Every label, help text and message in :mod:`wfm.ui` goes through :func:`t`, written
in English; :data:`JA` maps each English text to the Japanese used in Japanese
contact centres (応答率, 平均応答時間, 平均処理時間, 占有率, シュリンケージ, 必要人数 ...).
Placeholders use ``str.format`` names: ``t("{n} agents", n=5)``. A text without a
Japanese entry falls back to English and is recorded in :data:`MISSING` (a test
walks every page in Japanese and asserts nothing is missing).

File column names (``ds``, ``y``, ``queue``, ``aht`` ...) and the library's own
one-sentence error messages stay English; the app translates the framing around them.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

LANGUAGES = {"en": "English", "ja": "日本語"}
MISSING: set[str] = set()

WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


def lang() -> str:
    return st.session_state.get("lang", "en")


def lkey(name: str) -> str:
    """A widget key per language, for widgets whose options are shown translated.

    Streamlit keeps a choice widget's value as its shown label; a new key per language
    recreates the widget from the stored setting instead of looking up an old label.
    """
    return f"{name}@{lang()}"


def t(text: str, **values) -> str:
    """``text`` in the session's language, with ``values`` filled in."""
    if lang() == "ja":
        translated = JA.get(text)
        if translated is None:
            MISSING.add(text)
            translated = text
    else:
        translated = text
    return translated.format(**values) if values else translated


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def num(x, digits: int = 0) -> str:
    """A number with thousands separators (the same in both locales); ``–`` when missing."""
    if _missing(x):
        return "–"
    return f"{float(x):,.{digits}f}"


def pct(x, digits: int = 1) -> str:
    if _missing(x):
        return "–"
    return f"{100 * float(x):.{digits}f}%"


def seconds(x, digits: int = 1) -> str:
    if _missing(x):
        return "–"
    return f"{float(x):,.{digits}f} " + ("秒" if lang() == "ja" else "s")


def hours(x, digits: int = 0) -> str:
    if _missing(x):
        return "–"
    return f"{float(x):,.{digits}f} " + ("時間" if lang() == "ja" else "h")


def money(x, currency: str = "JPY") -> str:
    if _missing(x):
        return "–"
    if currency == "JPY":
        return f"{float(x):,.0f}円" if lang() == "ja" else f"¥{float(x):,.0f}"
    return f"{float(x):,.0f} {currency}"


# Units of a compact number, largest first: Japanese counts in 万 (10^4) and 億 (10^8).
COMPACT_UNITS = {"en": ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")),
                 "ja": ((1e12, "兆"), (1e8, "億"), (1e4, "万"))}
COMPACT_FROM = 10_000  # below this a number is short enough to show whole


def compact(x, language: str | None = None, significant: int = 3) -> str:
    """A number short enough for a KPI tile: ``5.33M`` / ``533万``; whole below 10,000.

    >>> compact(5_329_123, "en"), compact(430_617_000, "ja"), compact(53_291, "ja"), compact(9_876, "en")
    ('5.33M', '4.31億', '5.33万', '9,876')
    >>> compact(999_960, "en"), compact(-12_345, "en"), compact(12_345.6, "ja")
    ('1M', '-12.3K', '1.23万')
    """
    if _missing(x):
        return "–"
    value = float(x)
    if abs(value) < COMPACT_FROM:
        return f"{value:,.0f}"
    rounded = float(f"{value:.{significant}g}")  # rounded first: 999,960 is 1M, not 1,000K
    for size, unit in COMPACT_UNITS["ja" if (language or lang()) == "ja" else "en"]:
        if abs(rounded) >= size:
            scaled = rounded / size
            decimals = max(0, significant - len(str(int(abs(scaled)))))
            text = f"{scaled:,.{decimals}f}"
            return (text.rstrip("0").rstrip(".") if "." in text else text) + unit
    return f"{rounded:,.0f}"


class Figure(str):
    """A tile's short text (what :meth:`str` gives) that remembers the whole value (``full``).

    :func:`wfm.ui.common.metric_row` shows the short text and puts the whole value in the
    tile's tooltip.
    """

    full: str

    def __new__(cls, short: str, full: str) -> Figure:
        made = super().__new__(cls, short)
        made.full = full
        return made


def num_tile(x) -> Figure:
    """A count for a tile: compact, the whole number in the tooltip."""
    return Figure(compact(x), num(x))


def hours_tile(x) -> Figure:
    unit = " 時間" if lang() == "ja" else " h"
    return Figure("–" if _missing(x) else compact(x) + unit, hours(x))


def money_tile(x, currency: str = "JPY") -> Figure:
    """An amount for a tile: ``¥431M`` / ``4.31億円`` / ``1.2M USD``, the whole amount in the tooltip."""
    if _missing(x):
        return Figure("–", "–")
    short = compact(x)
    if currency == "JPY":
        short = f"{short}円" if lang() == "ja" else f"¥{short}"
    else:
        short = f"{short} {currency}"
    return Figure(short, money(x, currency))


def weekday(i: int) -> str:
    return (WEEKDAYS_JA if lang() == "ja" else WEEKDAYS_EN)[int(i)]


def date(d) -> str:
    """A day as planners write it: ``Mon 27 Oct 2003`` / ``2003年10月27日(月)``."""
    if d is None or d is pd.NaT:
        return "–"
    d = pd.Timestamp(d)
    if lang() == "ja":
        return f"{d.year}年{d.month}月{d.day}日({WEEKDAYS_JA[d.weekday()]})"
    return f"{WEEKDAYS_EN[d.weekday()]} {d.day} {d.strftime('%b %Y')}"


def datetime(d) -> str:
    if d is None or d is pd.NaT:
        return "–"
    d = pd.Timestamp(d)
    return f"{date(d)} {d.strftime('%H:%M')}"


def short_date(d) -> str:
    d = pd.Timestamp(d)
    if lang() == "ja":
        return f"{d.month}/{d.day}({WEEKDAYS_JA[d.weekday()]})"
    return f"{WEEKDAYS_EN[d.weekday()]} {d.day} {d.strftime('%b')}"


def axis_time_format() -> str:
    """Vega time format for chart axes (numeric in Japanese: no English month names)."""
    return "%-m/%-d %H:%M" if lang() == "ja" else "%a %d %b %H:%M"


def axis_day_format() -> str:
    return "%-m/%-d" if lang() == "ja" else "%a %d %b"


def today() -> dt.date:
    return dt.date.today()


# English text -> Japanese. Keep the planners' terms consistent across pages.
JA: dict[str, str] = {
    "Service level": "サービスレベル",
    "ASA": "平均応答時間 (ASA)",
    "ASA (s)": "平均応答時間 (ASA, 秒)",
    "Abandon rate": "放棄呼率",
    "Occupancy": "占有率",
    "Date": "日付",
    "Calls per interval": "インターバルあたり呼数",
    "Heads after shrinkage": "シュリンケージ込み必要人数",
    "Inbound (scheduled)": "受信 (配置済み)",
    "Outbound": "発信",
    "Agents": "オペレーター数",
    "Time": "時刻",
    "Calls": "呼数",
    "Required agents": "必要人数",
    "Outbound (placed by the plan)": "発信 (計画で配置)",
    "Required": "必要人数",
    "Short": "不足",
    "Simulated": "シミュレーション",
    "95% low": "95% 下限",
    "95% high": "95% 上限",
    "Time of day": "時刻",
    "Weekday": "曜日",
    "History": "実績",
    "Forecast": "予測",
    "Inbound requirement": "受信の必要人数",
    "Activity": "業務",
    "Mean calls": "平均呼数",
    "low": "下限",
    "high": "上限",
    "Agent": "オペレーター",
    "Start": "開始",
    "End": "終了",
    "Detail": "詳細",
    # Page 10, Roster (wfm.ui.roster_page)
    "10 Roster": "10 勤務表",
    "Roster": "勤務表",
    "Agent-intervals nobody can cover": "誰も対応できない人・インターバル",
    "Availability against need": "出勤可能人数と必要人数",
    "Available agents": "出勤可能なオペレーター",
    "CP-SAT stops after this much work and keeps the best roster found; the same work gives the same roster on any machine.": "CP-SAT はこの作業量で停止し、見つかった最良の勤務表を残します。同じ作業量ならどのマシンでも同じ勤務表になります。",
    "Calendars (ICS, zip)": "カレンダー (ICS、zip)",
    "Change the roster file (a sick day as time_off, a new wish) and upload it again, pick the days already published, and re-solve: the published days change as little as possible.": "勤務者ファイルを変更して (病欠は time_off、新しい希望など) もう一度アップロードし、公開済みの日を選んで再計算してください。公開済みの日の変更は最小限に抑えられます。",
    "Changed shifts": "変更したシフト",
    "Days of the published days whose shift or day off changed.": "公開済みの日のうち、シフトまたは休みが変わった日数。",
    "Every roster file (zip)": "勤務表の全ファイル (zip)",
    "Fairness spread": "公平性の差",
    "Intervals where fewer agents with the skill are available than the requirement asks, before any rule.": "ルールを適用する前の段階で、スキルを持つ出勤可能なオペレーターが必要人数より少ないインターバル。",
    "Intervals with too few available": "出勤可能人数が不足するインターバル",
    "Labour cost": "人件費",
    "Lock the published days and re-solve": "公開済みの日を固定して再計算",
    "Most minus fewest weekend (or late) shifts among comparable agents: same group and weekly maximum, able to work such shifts.": "比較可能なオペレーター (同じグループ・同じ週上限で、そのシフトに入れる人) の間での週末 (または遅番) シフト数の最多と最少の差。",
    "Named agents with contracts, availability, time off and wishes, rostered against the requirement the plan schedules. The roster file has one row per agent (columns in docs/roster.md); CSV in UTF-8 or CP932 (Shift_JIS), or XLSX.": "契約・出勤可能時間・休暇・シフト希望を持つ個人ごとのオペレーターを、計画の必要人数に対して割り当てます。勤務者ファイルは1人1行 (列は docs/roster.md 参照)。CSV (UTF-8 または CP932/Shift_JIS) か XLSX。",
    "No roster yet: press **Solve the roster**.": "勤務表はまだありません。**勤務表を作成** を押してください。",
    "One row per person, one column per day: the shift code, 休 time off, empty a day off.": "1人1行、1日1列: シフト記号、休 は休暇、空欄は公休。",
    "Per-person totals and fairness": "個人別の集計と公平性",
    "Published days": "公開済みの日",
    "Re-solve keeping the published days": "公開済みの日を保って再計算",
    "Red: heads required (after shrinkage, as the plan schedules). Blue: agents whose availability allows them on the phones then.": "赤: 必要人数 (シュリンケージ込み、計画と同じ)。青: その時間に出勤可能なオペレーター。",
    "Roster solved: {status}, {seconds} s.": "勤務表を作成しました: {status}、{seconds} 秒。",
    "Roster work budget (deterministic s)": "勤務表ソルバーの作業量 (決定論的秒)",
    "Rostering (CP-SAT) · {elapsed} s": "勤務表を作成中 (CP-SAT) · {elapsed} 秒",
    "Rostering…": "勤務表を作成中…",
    "Shift table": "シフト表",
    "Shifts": "シフト数",
    "Solve the roster": "勤務表を作成",
    "The scenario's agents ([[agent]] or roster.agents)": "シナリオのオペレーター ([[agent]] または roster.agents)",
    "The uploaded roster file": "アップロードした勤務者ファイル",
    "Unmet wishes": "叶わなかった希望",
    "Upload a roster file": "勤務者ファイルをアップロード",
    "Upload a roster file, or give the scenario [[agent]] entries, to roster named agents.": "個人別の勤務表を作るには、勤務者ファイルをアップロードするか、シナリオに [[agent]] を記載してください。",
    "scenario": "シナリオ",
    "{name} is {mb} MB, more than the {limit} MB limit.": "{name} は {mb} MB で、上限の {limit} MB を超えています。",
    "{n} of {total}": "{total} 件中 {n} 件",
    "{n} shift(s) changed from the published roster on {days} published day(s).": "公開済みの {days} 日間で、公開済み勤務表から {n} シフトが変わりました。",
    "シフト表 (XLSX)": "シフト表 (XLSX)",
    "The roster cannot be made": "勤務表を作成できません",
    "The roster could not be made": "勤務表を作成できませんでした",
    "roster": "勤務表を作成中",  # the plan's step while a scenario with named agents solves (Schedule page)
    "No plan yet: press **Solve** on the Schedule page (the default scenario solves in about half a minute).": "計画はまだありません。シフト表ページで **最適化を実行** を押してください (標準シナリオは約30秒で作成されます)。",
    "Forecasting (backtest of the candidate models)…": "予測中 (候補モデルのバックテスト)…",
    "The forecast could not be made": "予測を作成できませんでした",
    "The forecast has no intervals inside the planning horizon: check the horizon start.": "計画期間内に予測インターバルがありません。計画の開始日を確認してください。",
    "The staffing could not be sized": "必要人数を算出できませんでした",
    "{name} is {mb} MB, more than the {limit} MB limit: split the history or keep fewer months.": "{name} は {mb} MB で、上限の {limit} MB を超えています。実績を分割するか、期間を短くしてください。",
    "Data": "データ",
    "Interval history: one row per queue and interval start: the interval start (local time), the calls offered, optionally the queue and the AHT (seconds). CSV (UTF-8 or Shift_JIS), XLSX or Parquet; other column names are mapped after the upload.": "インターバル実績: キューとインターバル開始時刻ごとに1行。インターバル開始 (現地時刻)、着信呼数、任意でキューと平均処理時間 (秒)。CSV (UTF-8 または Shift_JIS)、XLSX、Parquet に対応。列名が異なる場合はアップロード後に対応付けます。",
    "**In use:** {name}, {minutes}-minute intervals.": "**使用中:** {name}、{minutes}分インターバル。",
    "**From** {first} **to** {last}. Open {open} a week, closed {closed} a week.": "**期間** {first} **〜** {last}。週あたり営業 {open}、休業 {closed}。",
    "Mean calls by weekday and time of day": "曜日・時刻別の平均呼数",
    "Upload a history file": "実績ファイルをアップロード",
    # Start from my data: the column mapping step and the start panel of the Data page.
    "Time (interval start)": "日時 (インターバル開始)",
    "Volume (calls offered)": "呼量 (着信呼数)",
    "AHT (seconds)": "平均処理時間 (秒)",
    "Which column is which?": "列の対応付け",
    "{name} has the columns {headers}: pick the time, the volume and, when the file has them, the AHT and the queue. The choice is kept in the scenario.": "{name} の列は {headers} です。日時と呼量、あれば平均処理時間とキューに当たる列を選んでください。選んだ対応はシナリオに保存されます。",
    "Read the file with these columns": "この対応でファイルを読み込む",
    "pick a column for {roles}.": "{roles} に当たる列を選んでください。",
    "one column is picked twice.": "同じ列が2回選ばれています。",
    "Start the plan from this file": "このファイルから計画を始める",
    "The plan uses the file's opening hours ({hours}); the example's closed dates are cleared.": "計画はファイルの営業時間 ({hours}) を使います。サンプルの休業日は消去しました。",
    "Time zone of the centre": "センターのタイムゾーン",
    "The file's times are local times in this IANA time zone.": "ファイルの時刻はこの IANA タイムゾーンの現地時刻として読みます。",
    "Currency": "通貨",
    "Keep the example's agent groups, pay rates and costs": "サンプルのオペレーターグループ・時給・コスト設定を残す",
    "Otherwise one group of agents at the default hourly cost works the example's inbound shift rules.": "残さない場合は、既定の時給のグループ1つがサンプルの受信シフト規則で勤務します。",
    "Keep the example's outbound campaigns": "サンプルの発信キャンペーンを残す",
    "With {minutes}-minute intervals, breaks last {lengths} minutes: the example's shift rules are fitted to the interval and the opening hours.": "{minutes}分インターバルでは休憩は {lengths} 分です。サンプルのシフト規則はインターバルと営業時間に合わせて調整します。",
    "The plan could not start from this file": "このファイルから計画を始められませんでした",
    "Exchange rate: 1 {old} = … {new}": "為替レート: 1 {old} = … {new}",
    "Every money figure of the example (pay rates, penalties, quote costs) is converted with it; an hourly cost entered below is used as it is.": "サンプルの金額 (時給、ペナルティ、見積りのコスト) はすべてこのレートで換算します。下で入力した時給はそのまま使います。",
    "Hourly cost of {group} ({currency})": "{group} の時給 ({currency})",
    "{cost} {old} at the exchange rate": "{cost} {old} を為替レートで換算",
    "What changed in the example's settings ({n})": "サンプルの設定から変わった点 ({n})",
    "Shift rules fitted to {minutes}-minute intervals ({n})": "{minutes}分インターバルに合わせたシフト規則 ({n})",
    "Use the bundled sample": "同梱サンプルを使う",
    "The history could not be summarised": "実績を集計できませんでした",
    "Queue": "キュー",
    "First rows of the file": "ファイルの先頭行",
    "Columns named ds, y, queue, aht are read as they are; others (日時, 呼量, an ACD's own names) are mapped in the next step. Up to 200 MB.": "ds, y, queue, aht という列名はそのまま読み込みます。それ以外 (日時、呼量、ACD 独自の列名) は次の手順で対応付けます。最大 200 MB。",
    "A North American bank's call arrivals, 5-minute intervals, March–October 2003.": "北米の銀行の着信実績 (5分インターバル、2003年3月〜10月)。",
    "The previous data is still in use ({name}).": "以前のデータを引き続き使用しています ({name})。",
    "Loaded {name}.": "{name} を読み込みました。",
    "Days": "日数",
    "Days with calls": "着信のある日数",
    "Intervals": "インターバル数",
    "Gaps": "欠損",
    "Closed days": "休業日",
    "Missing intervals inside the usual opening hours (filled by the forecast, never read as zero).": "通常の営業時間内で欠けているインターバル (予測で補完し、ゼロとしては扱いません)。",
    "Weekdays that are normally open but have no calls (holidays, closures).": "通常は営業している曜日で着信がない日 (祝日・臨時休業)。",
    "**Usual opening hours:**": "**通常の営業時間:**",
    "The file was not loaded": "ファイルを読み込めませんでした",
    "closed": "休業",
    "Schedule workbook (XLSX): a sheet per day, coverage, KPIs": "シフト表ワークブック (XLSX): 日別シート、カバレッジ、KPI",
    "Schedule (CSV): agent, group, shift, date, start, end, activity, detail": "シフト表 (CSV): agent, group, shift, date, start, end, activity, detail",
    "Coverage (CSV): required, scheduled inbound, outbound, over, under per interval": "カバレッジ (CSV): インターバルごとの必要人数・受信配置・発信・過剰・不足",
    "Requirement (CSV): agents per interval and the KPIs they deliver": "必要人数 (CSV): インターバルごとの人数と達成KPI",
    "Forecast (CSV), with the adjustments": "予測 (CSV、補正込み)",
    "Verification (CSV): simulated KPIs per interval with 95% bands": "検証 (CSV): インターバルごとのシミュレーションKPIと95%区間",
    "KPIs (JSON)": "KPI (JSON)",
    "Coverage chart (PNG)": "カバレッジグラフ (PNG)",
    "Export": "エクスポート",
    "Scenario (TOML + forecast, zip)": "シナリオ (TOML + 予測、zip)",
    "The queues read forecast.csv (the adjusted forecast this plan used), so the run gives the same requirement; the solver's seed and time limit are in the file.": "キューは forecast.csv (この計画で使った補正済み予測) を読むため、同じ必要人数になります。ソルバーのシードと制限時間もファイルに含まれます。",
    "Settings changed since this plan was solved: these files are the solved plan, not the new settings.": "計画作成後に設定が変更されました。これらのファイルは作成済みの計画のもので、新しい設定は反映されていません。",
    "Writing the files…": "ファイルを作成中…",
    "Unzip and run: wfm plan scenario.toml --out plan": "解凍して実行: wfm plan scenario.toml --out plan",
    "Scenario that repeats this plan": "この計画を再現するシナリオ",
    "Plan files": "計画ファイル",
    "Seasonal naive (same day last week)": "季節ナイーブ (前週同曜日)",
    "Seasonal naive (last week)": "季節ナイーブ (前週)",
    "Historical average, 4 weeks": "過去平均 (4週)",
    "Historical average, 8 weeks": "過去平均 (8週)",
    "ETS on daily totals × intraday profile": "日次合計のETS × 日内パターン",
    "Calendar regression × intraday profile": "カレンダー回帰 × 日内パターン",
    "MSTL (slow)": "MSTL (低速)",
    "First day of the plan": "計画の開始日",
    "Weeks": "週数",
    "Interval (minutes)": "インターバル (分)",
    "Time zone": "タイムゾーン",
    "Opens": "営業開始",
    "Closes": "営業終了",
    "Closed weekdays": "定休曜日",
    "Method": "予測方法",
    "Public holidays (country code)": "祝日 (国コード)",
    "Horizon: {first} to {last}, {minutes}-minute intervals.": "計画期間: {first} 〜 {last}、{minutes}分インターバル。",
    "Grey: the last two weeks of history. Blue: forecast with 80% and 95% prediction bands (dashed grey: before adjustments).": "灰色: 直近2週間の実績。青: 予測と80%・95%予測区間 (灰色の破線: 補正前)。",
    "Backtest of the candidate models": "候補モデルのバックテスト",
    "Weeks run from this day; the forecast covers the days up to the end of the horizon.": "この日から週が始まります。予測は計画期間の最終日までを対象とします。",
    "Forecast, sizing and schedule use this interval; the history is summed into it.": "予測・必要人数算出・シフト作成はこのインターバルで行います。実績はこの単位に集計されます。",
    "The site's IANA time zone (from the scenario).": "拠点の IANA タイムゾーン (シナリオの設定)。",
    "Model": "モデル",
    "Backtest folds": "バックテストのフォールド数",
    "e.g. JP or US: public holidays are closed days unless a special day says otherwise.": "例: JP、US。特異日で別の指定がない限り、祝日は休業日として扱います。",
    "Blank date = every day; blank times = the whole day. Overlapping rules multiply.": "日付が空欄 = 毎日、時刻が空欄 = 終日。重なる補正は掛け合わされます。",
    "Closed days, or a multiplier on a day's volume (1.3 = 30% more). Used by the forecast.": "休業日、または日の呼量への倍率 (1.3 = 30%増)。予測で使われます。",
    "Planning horizon": "計画期間",
    "Lower is better. The model with the lowest wMAPE over the rolling-origin folds is chosen.": "小さいほど良好。ローリング・オリジンのフォールドで wMAPE が最小のモデルを採用します。",
    "No backtest: a single chosen model, or too little history for the folds.": "バックテストなし: モデルを1つ指定しているか、フォールドに必要な実績が足りません。",
    "Weeks of rolling-origin backtest used to choose the model.": "モデル選択に使うローリング・オリジン・バックテストの週数。",
    "Adjustment not applied": "補正を適用できませんでした",
    "Special days not applied": "特異日を適用できませんでした",
    "Model used": "使用モデル",
    "Calls in the horizon": "計画期間の呼数",
    "Change from adjustments": "補正による増減",
    "Gaps filled in history": "補完した実績の欠損",
    "Scored at (minutes)": "評価単位 (分)",
    "Folds": "フォールド数",
    "Chosen": "採用",
    "Automatic (best backtest)": "自動 (バックテスト最良)",
    "Chosen model": "モデルを指定",
    "Adjustments (± % on a day or a time range)": "補正 (日または時間帯に ± %)",
    "Special days": "特異日",
    "From (HH:MM)": "開始 (HH:MM)",
    "To (HH:MM)": "終了 (HH:MM)",
    "Change %": "増減 %",
    "Closed": "休業",
    "Multiplier": "倍率",
    "Outbound & blending": "発信とブレンド",
    "Campaign work is placed by the scheduler inside each calling window, on blended and outbound agents, where inbound leaves room. Column names stay in English as in the scenario file.": "キャンペーンの業務量は、受信に余裕のある時間帯に、各架電時間帯の中でブレンド・発信オペレーターへ配置されます。列名はシナリオファイルと同じ英語のままです。",
    "Inbound requirement and outbound work": "受信の必要人数と発信業務",
    "campaigns": "キャンペーン",
    "The campaigns were not applied": "キャンペーンを適用できませんでした",
    "No campaigns: the plan is inbound only.": "キャンペーンなし: 受信のみの計画です。",
    "Fix the forecast and staffing settings to see the requirement.": "必要人数を表示するには、予測と必要人数の設定を修正してください。",
    "Red: inbound heads required. Green shading: calling windows. Solve on the Schedule page to see where the plan places the outbound work.": "赤: 受信の必要人数。緑の網掛け: 架電時間帯。発信業務の配置はシフト表ページで最適化を実行すると表示されます。",
    "The scenario is not valid": "シナリオが正しくありません",
    "Campaign": "キャンペーン",
    "Attempts": "発信回数",
    "Contacts": "接続数",
    "Conversions": "成約数",
    "Agent-hours": "オペレーター時間",
    "Seconds per attempt": "発信1回あたり秒数",
    "Records": "リスト件数",
    "Max attempts": "最大発信回数",
    "Contact rate": "接続率",
    "AHT per contact (s)": "接続あたり平均処理時間 (秒)",
    "Seconds per failed attempt": "不通1回あたり秒数",
    "Conversion rate": "成約率",
    "Calling days": "架電曜日",
    "Window start": "架電開始",
    "Window end": "架電終了",
    "Deadline": "期限",
    "Daily attempt cap": "1日の発信上限",
    "Red: inbound heads required. Blue: inbound agents scheduled. Green: agents on outbound work.": "赤: 受信の必要人数。青: 受信に配置したオペレーター。緑: 発信業務のオペレーター。",
    "done": "完了",
    "Reading the forecast": "予測を読み込み中",
    "Sizing": "必要人数を算出中",
    "Scheduling (CP-SAT)": "シフト作成中 (CP-SAT)",
    "Verifying by simulation": "シミュレーションで検証中",
    "Done": "完了",
    "Solver time limit (s)": "ソルバー制限時間 (秒)",
    "Solver work budget (deterministic s)": "ソルバー作業量 (決定論的秒)",
    "CP-SAT stops after this much work (or earlier, once within 0.1% of the lower bound) and the best plan found is kept; the same work gives the same plan on any machine.": "CP-SAT はこの作業量で停止し (下限値との差が0.1%以内になれば早期終了)、見つかった最良の計画を採用します。同じ作業量ならどのマシンでも同じ計画になります。",
    "Solve": "最適化を実行",
    "Schedule": "シフト表",
    "The plan could not be made": "計画を作成できませんでした",
    "Plan solved in {secs} s: {status}.": "計画を {secs} 秒で作成しました: {status}。",
    "Coverage against the requirement": "カバレッジと必要人数",
    "Red line: inbound heads required. Blue: scheduled on inbound. Green: on outbound. Black dots: short.": "赤線: 受信の必要人数。青: 受信に配置。緑: 発信に配置。黒点: 不足。",
    "Agents' day": "オペレーターの1日",
    "Understaffed intervals": "人員不足のインターバル",
    "shift rules": "シフトルール",
    "The rules were not applied": "ルールを適用できませんでした",
    "CP-SAT stops at this limit (or earlier, once within 0.1% of the lower bound) and the best plan found is kept.": "CP-SAT はこの時間で停止し (下限値との差が0.1%以内になれば早期終了)、見つかった最良の計画を採用します。",
    "Starting…": "開始中…",
    "Agent groups, shift rules and breaks": "オペレーターグループ・シフトルール・休憩",
    "Settings changed since this plan was solved: press **Solve** to plan with them.": "計画作成後に設定が変更されました。反映するには **最適化を実行** を押してください。",
    "Day": "日",
    "Group": "グループ",
    "Agents shown": "表示するオペレーター数",
    "{n} of {total} agents working this day.": "この日に勤務する {total} 人のうち {n} 人を表示。",
    "Every interval is covered.": "すべてのインターバルで必要人数を満たしています。",
    "{n} intervals are short of the requirement.": "{n} インターバルで必要人数が不足しています。",
    "Agent groups": "オペレーターグループ",
    "Skills": "スキル",
    "Cost per hour": "時間単価",
    "Headcount cap": "人数上限",
    "Unsocial-hours premium": "深夜・休日割増率",
    "Shift rules": "シフトルール",
    "Shift": "シフト",
    "Length (h)": "勤務時間 (時間)",
    "Earliest start": "最早開始",
    "Latest start": "最遅開始",
    "Days per week": "週の勤務日数",
    "Days off together": "連休",
    "Same start all week": "週内同一開始時刻",
    "Min rest (h)": "最小休息 (時間)",
    "Breaks": "休憩",
    "Kind": "種類",
    "Length (min)": "長さ (分)",
    "Starts after (h), earliest": "開始後 (時間) 最早",
    "Starts after (h), latest": "開始後 (時間) 最遅",
    "{step} · {elapsed} s of a {limit} s solver limit": "{step} · 経過 {elapsed} 秒 / ソルバー制限 {limit} 秒",
    "Cost": "コスト",
    "Lower bound": "下限値",
    "Gap to bound": "下限値とのギャップ",
    "Paid hours": "支払対象時間",
    "FTE": "FTE (常勤換算)",
    "Short intervals": "不足インターバル",
    "How far the cost can be from the best possible (the LP / CP-SAT lower bound).": "コストが理論上の最良値 (LP / CP-SAT の下限値) からどれだけ離れうるか。",
    "Paid hours ÷ {h} hours a week.": "支払対象時間 ÷ 週 {h} 時間。",
    "inbound = receives calls, outbound = dials, blended = both": "inbound = 受信、outbound = 発信、blended = 両方",
    "Most agents available per week; blank = hire as needed.": "週あたりの最大人数。空欄 = 必要なだけ採用。",
    "One length, or several: 4, 6": "1つ、または複数: 4, 6",
    "e.g. 5, or 3-4": "例: 5、または 3-4",
    "Why (the rules that bind):": "理由 (制約となっているルール):",
    "All groups": "すべてのグループ",
    "Interval": "インターバル",
    "Scheduled": "配置人数",
    "Data: {name}": "データ: {name}",
    "Scenario: {name}": "シナリオ: {name}",
    "Save / load scenario": "シナリオの保存・読み込み",
    "Load scenario (TOML, or zip with its files)": "シナリオを読み込む (TOML、またはファイル一式の zip)",
    "The files a scenario names must be in the zip with it, or in the app's data folder.":
        "シナリオが参照するファイルは、同じ zip に入れるか、アプリのデータフォルダに置いてください。",
    "Reset to the bank example": "銀行の例に戻す",
    "Save scenario (TOML)": "シナリオを保存 (TOML)",
    "Settings of every page; the history is the file the scenario names.": "全ページの設定を保存します。実績はシナリオが指定するファイルです。",
    "Save scenario (zip with the data)": "シナリオを保存 (データ付き zip)",
    "Settings of every page and the uploaded history ({name}): load the zip here to start from both again.": "全ページの設定とアップロードした実績 ({name}) を保存します。この zip を読み込むと、両方から再開できます。",
    "The scenario cannot be saved": "シナリオを保存できません",
    "The scenario was not loaded": "シナリオを読み込めませんでした",
    "Service target": "サービス目標",
    "Queue model": "待ち行列モデル",
    "Staffing": "必要人数",
    "Bars: forecast calls per interval. Red line: heads to schedule after shrinkage.": "棒: インターバルごとの予測呼数。赤線: シュリンケージ込みの配置必要人数。",
    "What if: service level 70 / 80 / 90%": "比較: サービスレベル 70 / 80 / 90%",
    "Service level: share of calls answered within a time. ASA: average speed of answer.": "サービスレベル: 目標時間内に応答した呼の割合。ASA: 平均応答時間。",
    "Service level (%)": "サービスレベル (%)",
    "AHT from the history": "実績の平均処理時間を使う",
    "Max occupancy (%)": "最大占有率 (%)",
    "Shrinkage (%)": "シュリンケージ (%)",
    "Erlang A: {rate} of callers hang up before answer.": "アーランA: 応答前に {rate} の呼が放棄されます。",
    "Requirement per interval": "インターバルごとの必要人数",
    "Share of offered calls answered within the answer time.": "着信呼のうち目標時間内に応答した割合。",
    "Answer within (s)": "目標応答時間 (秒)",
    "ASA target (s)": "平均応答時間の目標 (秒)",
    "Use the forecast AHT per interval (from the history's aht column).": "インターバルごとの予測平均処理時間を使います (実績の aht 列から)。",
    "AHT (s)": "平均処理時間 (AHT, 秒)",
    "Highest share of logged-in time agents spend on calls.": "ログイン時間のうち通話対応に充てる割合の上限。",
    "Paid time lost to absence, training, meetings, coaching (breaks are scheduled).": "欠勤・研修・会議・コーチングで失われる勤務時間の割合 (休憩はシフトで配置)。",
    "Mean patience (s)": "平均放棄待ち時間 (秒)",
    "Peak required agents": "ピーク必要人数",
    "Peak heads after shrinkage": "ピーク配置人数",  # short enough for a tile: 配置 = after shrinkage
    "Agent-hours to schedule": "配置する延べ時間",
    "Call-weighted service level the required agents deliver (Erlang).": "必要人数で達成できる呼数加重サービスレベル (アーラン)。",
    "Sum of heads after shrinkage over the intervals.": "シュリンケージ込み必要人数のインターバル合計。",
    "Target": "目標",
    "{level} in {secs} s": "{secs}秒以内 {level}",
    "Average seconds a caller waits before answer.": "応答までに顧客が待つ平均秒数。",
    "Average handle time: talk, hold and after-call work, in seconds.": "平均処理時間: 通話・保留・後処理の合計 (秒)。",
    "Erlang A (callers hang up)": "アーランA (放棄あり)",
    "Simulation (learned profile)": "シミュレーション (学習したプロファイル)",
    "Mean seconds callers wait before hanging up.": "顧客が電話を切るまでに待つ平均秒数。",
    "Verify": "検証",
    "A discrete-event simulation replays the forecast calls against the scheduled inbound agents (after shrinkage), several times with different random calls: bands are 95% confidence intervals.": "離散事象シミュレーションで、予測呼を配置済みの受信オペレーター (シュリンケージ後) に対して乱数を変えて複数回再現します。帯は95%信頼区間です。",
    "Show": "表示",
    "Blue: simulated, with its 95% band. Dashed grey: Erlang prediction. Dashed red: the target.": "青: シミュレーション結果と95%区間。灰色の破線: アーランの予測値。赤の破線: 目標。",
    "Intervals below target": "目標を下回るインターバル",
    "Target: {level} answered within {secs} s. 95% interval of the simulated service level: {lo} – {hi}.": "目標: {secs}秒以内に {level} 応答。シミュレーションのサービスレベルの95%区間: {lo} 〜 {hi}。",
    "Target: ASA {asa}.": "目標: 平均応答時間 {asa}。",
    "No interval is more than {pts} points below the service-level target.": "サービスレベル目標を {pts} ポイント以上下回るインターバルはありません。",
    "{n} of these intervals have forecast calls but no agents: they lie outside the opening hours (Forecast page, Opens / Closes).": "このうち {n} インターバルは予測呼があるのにオペレーターが0人です。営業時間外にあたります (予測ページの営業開始・営業終了)。",
    "Calls offered": "着信呼数",
    "Service level (simulated)": "サービスレベル (シミュレーション)",
    "Service level (Erlang)": "サービスレベル (アーラン)",
    "ASA (simulated)": "平均応答時間 (シミュレーション)",
    "Abandon rate (simulated)": "放棄呼率 (シミュレーション)",
    "Occupancy (simulated)": "占有率 (シミュレーション)",
    "Flagged intervals": "要注意インターバル",
    "1 Data": "1 データ",
    "2 Forecast": "2 予測",
    "3 Staffing": "3 必要人数",
    "4 Outbound & blending": "4 発信とブレンド",
    "5 Schedule": "5 シフト表",
    "6 Verify": "6 検証",
    "7 Export": "7 エクスポート",
    "8 Quote": "8 見積",
    "inbound": "受信",
    "outbound": "発信",
    "break": "休憩",
    "lunch": "昼休憩",
    "training": "研修",
    "meeting": "会議",
    "That did not work": "処理できませんでした",
    "Quote": "見積",
    "A staffing quote for an outsourcing client: each month's representative week is scheduled, then FTE, seats, hires, cost lines and prices follow (wfm quote).": "委託先向けの人員見積: 各月の代表週のシフトを作成し、FTE・席数・採用数・費用内訳・価格を算出します (wfm quote)。",
    "Quote scenario (TOML with a [quote] section, or zip with its files)":
        "見積シナリオ ([quote] セクションを含む TOML、またはファイル一式の zip)",
    "Files the scenario names must be in the zip with it or in the app's data folder; relative paths of a "
    "lone TOML are read from the example folder.":
        "シナリオが参照するファイルは、同じ zip に入れるかアプリのデータフォルダに置いてください。"
        "TOML だけの場合、相対パスは例フォルダから読み込みます。",
    "**Scenario:** {name} · client {client} · {months} months from {start} · margin {margin}": "**シナリオ:** {name} · 顧客 {client} · {start} から {months} か月 · 利益率 {margin}",
    "Solver seconds per representative week": "代表週あたりのソルバー時間 (秒)",
    "Each month's week is scheduled with CP-SAT; more seconds, a tighter schedule.": "各月の代表週を CP-SAT でシフト作成します。時間を増やすほど精度が上がります。",
    "Sensitivity table": "感度分析表",
    "Re-solves the busiest month 11 more times (volume, AHT, service, shrinkage).": "最繁忙月をさらに11回計算します (呼量・平均処理時間・サービスレベル・シュリンケージ)。",
    "Price the quote": "見積を計算",
    "Press **Price the quote**: about {secs} s with these settings.": "**見積を計算** を押してください。この設定で約 {secs} 秒かかります。",
    "{done} of {weeks} weeks scheduled · {secs} s": "{weeks} 週のうち {done} 週作成済み · {secs} 秒",
    "The quote could not be priced": "見積を計算できませんでした",
    "Total price": "総価格",
    "Total cost": "総コスト",
    "Price per productive hour": "生産時間あたり価格",
    "Price per handled contact": "処理件数あたり価格",
    "Price per FTE-month": "FTE・月あたり価格",
    "Mean FTE": "平均 FTE",
    "Peak seats": "最大席数",
    "By month": "月別",
    "Month": "月",
    "Workload hours": "業務量 (時間)",
    "Seats": "席数",
    "Hires": "採用数",
    "Price": "価格",
    "By channel": "チャネル別",
    "Sensitivity": "感度分析",
    "Assumptions": "前提条件",
    "Downloads": "ダウンロード",
    "Quote workbook (XLSX)": "見積ワークブック (XLSX)",
    "Quote (JSON)": "見積 (JSON)",
    "Opening hours not applied": "営業時間を適用できませんでした",
    "Solver details": "ソルバーの詳細",
    "Item": "項目",
    "Value": "値",
    "The time limit was {limit} s. The lower bound is the larger of the LP relaxation and CP-SAT's own bound.": "制限時間は {limit} 秒でした。下限値は LP 緩和と CP-SAT 自身の下限の大きい方です。",
    "best plan so far {cost}, bound {bound}, gap {gap}": "現時点の最良コスト {cost}、下限 {bound}、ギャップ {gap}",
    "Stop": "中止",
    "End this solve now; the previous plan stays on screen.": "この最適化をすぐに終了します。以前の計画は画面に残ります。",
    "Stopped; the previous plan is kept.": "中止しました。以前の計画を残しています。",
    # Service goals over a day or a week, where the paid hours go
    "every interval": "各インターバル",
    "the whole day": "1日全体",
    "the whole week": "1週間全体",
    "Service goal over": "サービス目標の範囲",
    "Every interval: each interval meets the target on its own. Day or week: the share of the day's (week's) calls; the schedule puts agents where they buy the most service.":
        "各インターバル: インターバルごとに目標を満たします。1日・1週間: その日(週)の全呼のうち目標時間内に応答した割合で、シフトは最もサービスを高める時間帯に人を配置します。",
    "No interval below (%)": "インターバルの下限 (%)",
    "The lowest service level any single interval may have under a day or week goal.":
        "1日・1週間の目標のもとで、どのインターバルも下回ってはならないサービスレベル。",
    "Service goal by day": "日別のサービス目標",
    "Service goal by week": "週別のサービス目標",
    "Period": "期間",
    "Goal met": "目標達成",
    "ASA (Erlang)": "平均応答時間 (Erlang)",
    "Goal: {what}; met in {met} of {n} periods. Solved {rounds} times (simulated rounds); plan of round {chosen} kept.":
        "目標: {what}。{n} 期間中 {met} 期間で達成。{rounds} 回求解(シミュレーションによる見直し)し、{chosen} 回目の計画を採用。",
    "an ASA of at most {secs} s over the period's calls": "期間の呼の平均応答時間 {secs} 秒以内",
    "{level} of the period's calls answered within {secs} s": "期間の呼の {level} を {secs} 秒以内に応答",
    "Where the paid hours go": "有給時間の内訳",
    "Talk time (the offered load)": "通話時間(呼量負荷)",
    "Queueing margin for the target": "目標のための待ち行列の余裕",
    "Whole agents (rounding)": "人数の切り上げ",
    "Occupancy cap": "占有率の上限",
    "Sizing model (calibrated or ASA)": "要員算出モデル(較正・ASA)",
    "Shift shape (coverage above the interval need)": "シフトの形(必要人数を超える配置)",
    "Outbound work": "アウトバウンド業務",
    "Paid breaks and idle time on shift": "有給休憩と待機時間",
    "Part": "内訳",
    "Hours": "時間",
    "Share": "割合",
    "Shrinkage": "シュリンケージ",
    "Measured against holding every interval to the target on its own; the parts add up to the paid hours ({h}).":
        "各インターバルで目標を満たす場合を基準にした内訳です。合計は有給時間 ({h}) に一致します。",
    # Plans page (saved versions)
    'Compare versions': 'バージョンの比較',
    'Difference {plan}': '差分 {plan}',
    "Differences are each version minus the base; changed figures are highlighted. Every figure is read from the saved plan's own files.": '差分は各バージョンから基準を引いた値です。変わった数値を強調表示します。数値はすべて保存されたプランのファイルから読み取っています。',
    'Figure': '指標',
    'Id': 'ID',
    'Name': '名前',
    'No saved versions yet.': '保存されたバージョンはまだありません。',
    'Note': 'メモ',
    'Per day': '日別',
    'Pick two or three versions to compare.': '比較するバージョンを2つか3つ選んでください。',
    'Plans': 'プラン',
    'Save the solved plan': '求解したプランを保存',
    'Save version': 'バージョンを保存',
    'Saved (UTC)': '保存日時 (UTC)',
    'Saved as plan {id}.': 'プラン {id} として保存しました。',
    'Saved plan versions, kept in the plan store ({url}); wfm plans list shows the same versions.': '保存したプランのバージョン(プランストア: {url})。wfm plans list でも同じバージョンが表示されます。',
    'Saved versions': '保存済みバージョン',
    'Scenario': 'シナリオ',
    'Scheduled inbound agents per interval': 'インターバル別の受電配置人数',
    'The plan store cannot be opened: {reason}': 'プランストアを開けません: {reason}',
    'Version name': 'バージョン名',
    'Version': 'バージョン',
    'Versions (the first is the base)': 'バージョン(最初が基準)',
    '9 Plans': '9 プラン',
    'cost': 'コスト',
    'paid hours': '有給時間',
    'agents': '人数',
    'service level planned': '応答率(計画)',
    'service level simulated': '応答率(シミュレーション)',
    'ASA simulated (s)': '平均応答時間(シミュレーション、秒)',
    'abandoned simulated': '放棄率(シミュレーション)',
    'short intervals (coverage)': '不足インターバル(配置)',
    'intervals below target (simulated)': '目標未達インターバル(シミュレーション)',
    'gap to the bound': '下限とのギャップ',
    'solver status': 'ソルバーの状態',
    '{status}, cost including {money} of penalties': '{status}、ペナルティ {money} を含むコスト',
    'Plan taken from the plans solved before with the same inputs: {status}.': '同じ入力で以前に作成した計画を表示しています: {status}。',
    "Paid hours × the groups' hourly rates, plus the unsocial-hours premium and any cost per agent-week, plus the penalties for short intervals, undone outbound work and calls late against a service goal (none when every interval is covered and every campaign done).": '有給時間 × グループの時給、深夜・休日などの割増と人・週あたりの費用、さらに人員不足インターバル・未完了の発信業務・サービス目標に対する遅延呼のペナルティ(すべて充足し全キャンペーンを完了していればペナルティはありません)。',
    'The target alone: {h}. Sets the staffing: {what} ({n} of {total} intervals raised by the cap).': 'サービス目標だけなら {h}。必要人数を決めているのは {what} です (上限で人数が増えたインターバル {n} / {total})。',
    'occupancy cap': '占有率の上限',
    'target': 'サービス目標',
    'At these volumes the max occupancy ({cap}) sets the staffing at every level, not the service target: the target alone would need {alone}.': 'この呼量では、どの水準でもサービス目標ではなく最大占有率 ({cap}) が必要人数を決めています。サービス目標だけなら {alone} です。',
    'week {n} of {weeks}': '第 {n} 週 / {weeks} 週',
    '{page} page': '{page}ページ',
    '{page} page · {table}': '{page}ページ · {table}',
    '{page} page · {table}, row {row}': '{page}ページ · {table} {row} 行目',
    'Scenario file': 'シナリオファイル',
    'Campaigns': 'キャンペーン',
    '{framing} ({n} problems):': '{framing} (問題 {n} 件):',
    'Agent labour': 'オペレーター人件費',
    'Breaks share': '休憩の割合',
    'Case': 'ケース',
    'Change': '変更',
    'Channel': 'チャネル',
    'Contacts offered': '受付件数',
    'Cost / acquisition': '獲得あたりコスト',
    'Cost / contact': '応対あたりコスト',
    'FTE change': 'FTE の変化',
    'Handled contacts': '応対件数',
    'Hiring': '採用',
    'Leavers': '退職者',
    'Management fee': '管理費',
    'Margin': 'マージン',
    'Open days': '営業日数',
    'Over': '過剰',
    'Price / FTE-month': 'FTE・月あたり価格',
    'Price / contact': '応対あたり価格',
    'Price / hour': '時間あたり価格',
    'Price change': '価格の変化',
    'Productive hours': '生産時間',
    'QA': '品質管理 (QA)',
    'QA cost': '品質管理コスト',
    'Ramp-up': '立ち上がり期間',
    'Schedule gap': 'スケジュールのギャップ',
    'Scheduled FTE': 'スケジュール FTE',
    'Scheduled inbound': '着信に配置',
    'Seats cost': '席コスト',
    'Section': '区分',
    'Short agent-intervals': '不足 (人・インターバル)',
    'Solver status': 'ソルバーの状態',
    'Supervisors': 'スーパーバイザー',
    'Supervisors cost': 'スーパーバイザーコスト',
    'Technology': 'システム費',
    'Trainers': 'トレーナー',
    'Trainers cost': 'トレーナーコスト',
    'Training': '研修',
    'Training/ramp FTE': '研修・立ち上がり FTE',
    'Under': '不足',
    'Workload / productive': '業務量 / 生産時間',
    'Workload share': '業務量の割合',
}

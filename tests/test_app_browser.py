"""End to end in a real headless Chromium: `streamlit run app.py`, every page, solve, download.

Needs Debian's chromium (`apt-get install chromium`; `.ci/run` installs it) and
Playwright for Python (the dev extra). Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def plan_store_url(tmp_path_factory):
    """The server's plan store: a SQLite file of this test module, never the user's."""
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'plans.sqlite'}"


@pytest.fixture(scope="module")
def server(plan_store_url):
    port = _free_port()
    env = {**os.environ, "WFM_TIME_LIMIT": "20", "PYTHONUNBUFFERED": "1", "WFM_DATABASE_URL": plan_store_url}
    streamlit = Path(sys.executable).parent / "streamlit"
    proc = subprocess.Popen(
        [str(streamlit), "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _goto(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    page.wait_for_timeout(300)
    _settle(page)


def _settle(page, timeout: float = 120_000) -> None:
    """Wait until the script run is over (Streamlit shows a status widget while running)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)
    page.wait_for_timeout(300)


def _shot(page, name: str, height: int = 2400) -> None:
    """Screenshot of the whole page: Streamlit scrolls inside its own container, so grow the window."""
    page.set_viewport_size({"width": 1500, "height": height})
    page.wait_for_timeout(1500)  # charts redraw at the new size
    page.screenshot(path=str(ARTIFACTS / name))
    page.set_viewport_size({"width": 1500, "height": 1000})


def test_every_page_solve_and_download_in_chromium(server):
    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
            page.goto(f"{server}/", wait_until="domcontentloaded")
            page.get_by_text("Mean calls by weekday and time of day").wait_for(timeout=60_000)
            _settle(page)
            _shot(page, "data.png")

            _goto(page, "2 Forecast")
            page.get_by_text("Backtest of the candidate models", exact=True).wait_for(timeout=90_000)
            _shot(page, "forecast.png")

            _goto(page, "3 Staffing")
            page.get_by_text("What if: service level 70 / 80 / 90%").wait_for(timeout=60_000)
            _shot(page, "staffing.png")

            _goto(page, "4 Outbound & blending")
            page.get_by_text("Inbound requirement and outbound work").wait_for(timeout=60_000)

            _goto(page, "5 Schedule")
            page.get_by_role("button", name="Solve", exact=True).click()
            page.get_by_text("Plan solved in").wait_for(timeout=180_000)
            _settle(page)
            values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
            assert len(values) >= 7
            assert all(re.search(r"\d", v) for v in values[:7]), values
            _shot(page, "schedule.png")

            _goto(page, "6 Verify")
            page.get_by_text("Service level (simulated)").first.wait_for(timeout=60_000)
            _shot(page, "verify.png")

            _goto(page, "4 Outbound & blending")
            page.get_by_text("done").first.wait_for(timeout=60_000)
            _shot(page, "outbound.png")

            _goto(page, "7 Export")
            button = page.get_by_role("button", name=re.compile("Schedule workbook"))
            button.wait_for(timeout=240_000)  # the Export page first writes every file (a ~800-agent workbook)
            with page.expect_download(timeout=60_000) as info:
                button.click()
            path = ARTIFACTS / "schedule.xlsx"
            info.value.save_as(str(path))
            book = load_workbook(path, read_only=True)
            assert "Coverage" in book.sheetnames and "KPIs" in book.sheetnames
            assert len(book.sheetnames) >= 7  # a sheet per open day, then coverage and KPIs
            book.close()

            if page.get_by_role("link", name="8 Quote").count():
                _goto(page, "8 Quote")
                page.get_by_role("button", name="Price the quote").wait_for(timeout=60_000)

            # Japanese: the sidebar switch translates the pages.
            page.get_by_text("日本語").click()
            _settle(page)
            _goto(page, "5 シフト表")
            page.get_by_text("カバレッジと必要人数").wait_for(timeout=60_000)
            _shot(page, "schedule_ja.png")
            _goto(page, "3 必要人数")
            page.get_by_text("サービスレベル").first.wait_for(timeout=60_000)
            _shot(page, "staffing_ja.png")
            _goto(page, "2 予測")
            page.get_by_text("候補モデルのバックテスト", exact=True).wait_for(timeout=60_000)
            _shot(page, "forecast_ja.png")
        finally:
            browser.close()


def _solve(page) -> None:
    """Solve on the Schedule page with the smallest work budget (the slider's Home key: 1 s)."""
    _goto(page, "5 シフト表")
    solve = page.get_by_role("button", name="最適化を実行", exact=True)
    solve.wait_for(timeout=60_000)
    _slider(page, "ソルバー作業量 (決定論的秒)").press("Home")
    _settle(page)
    solve.click()
    # The progress bar shows while the plan is made; the page then shows this solve's plan.
    bar = page.locator('[data-testid="stProgress"]')
    bar.first.wait_for(state="attached", timeout=60_000)
    bar.first.wait_for(state="detached", timeout=240_000)
    page.get_by_text(re.compile("計画を.*秒で作成しました")).first.wait_for(timeout=60_000)
    _settle(page, 240_000)


def _slider(page, label: str):
    """The thumb of the slider labelled ``label``, focused for keyboard steps."""
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    thumb.wait_for(timeout=60_000)
    thumb.focus()
    return thumb


def _save_version(page, name: str) -> None:
    _goto(page, "9 プラン")
    field = page.get_by_label("バージョン名")
    field.fill(name)
    field.press("Enter")
    _settle(page)
    page.get_by_role("button", name="バージョンを保存").click()
    page.get_by_text(re.compile(r"プラン \d+ として保存しました")).wait_for(timeout=60_000)
    _settle(page)


def test_japanese_file_to_compared_plan_versions_in_chromium(server, plan_store_url):
    """Issue #15's done-when: a CP932 file with Japanese headers, mapped, planned with its own
    hours and time zone, solved, saved twice, compared; its holiday has nobody rostered."""
    from factories import japanese_centre_csv
    from playwright.sync_api import sync_playwright

    from wfm import store as plan_store

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{server}/", wait_until="domcontentloaded")
            page.get_by_text("Mean calls by weekday and time of day").wait_for(timeout=60_000)
            page.get_by_text("日本語").click()
            _settle(page)
            page.locator('[data-testid="stMain"] input[type="file"]').first.set_input_files(
                files=[{"name": "自社実績.csv", "mimeType": "text/csv", "buffer": japanese_centre_csv()}])
            page.get_by_text("列の対応付け").wait_for(timeout=60_000)
            _settle(page)
            page.get_by_role("button", name="この対応でファイルを読み込む").click()
            page.get_by_text("このファイルから計画を始める").first.wait_for(timeout=60_000)
            _settle(page)
            body = page.locator('[data-testid="stMain"]').inner_text()
            assert "自社実績.csv" in body and "月 09:00-18:00" in body and "日 休業" in body, body[:2000]
            assert "/tmp" not in body

            _goto(page, "2 予測")
            page.get_by_text("候補モデルのバックテスト", exact=True).wait_for(timeout=90_000)
            assert page.get_by_label("タイムゾーン", exact=True).input_value() == "Asia/Tokyo"
            assert page.get_by_label("営業開始", exact=True).input_value() == "09:00"

            _solve(page)
            _save_version(page, "第1版")
            _goto(page, "3 必要人数")  # a second version: a higher service level
            tiles = page.locator('[data-testid="stMetricValue"]')
            tiles.first.wait_for(timeout=60_000)
            before = tiles.all_inner_texts()
            slider = _slider(page, "サービスレベル (%)")
            for _ in range(5):
                slider.press("ArrowRight")
            for _ in range(120):  # the page re-sizes for the new target before the next solve
                page.wait_for_timeout(500)
                if tiles.all_inner_texts() != before:
                    break
            _settle(page)
            shown = page.locator('[data-testid="stSlider"]').filter(has_text="サービスレベル (%)")
            assert shown.locator('[data-testid="stSliderThumbValue"]').inner_text() == "85"
            _solve(page)
            _save_version(page, "第2版")

            page.get_by_text("バージョンの比較").wait_for(timeout=60_000)
            # both versions chosen (the latest two): the comparison, its coverage chart and the per-day table
            page.get_by_text("差分は各バージョンから基準を引いた値です", exact=False).wait_for(timeout=60_000)
            page.get_by_text("インターバル別の受電配置人数").wait_for(timeout=60_000)
            page.get_by_text("日別", exact=True).wait_for(timeout=60_000)
            _settle(page)
            _shot(page, "plans_ja.png", height=1800)
            page.get_by_text("English").click()  # the README's picture of the Plans page
            _settle(page)
            page.get_by_text("Compare versions").wait_for(timeout=60_000)
            _settle(page)
            _shot(page, "plans_page.png", height=1400)
        except Exception:
            _shot(page, "japanese_failure.png")  # what the page showed when a step did not come
            raise
        finally:
            browser.close()

    store = plan_store.open_store(plan_store_url)
    saved = store.list()
    assert [s.name for s in saved] == ["第1版", "第2版"]
    assert {s.timezone for s in saved} == {"Asia/Tokyo"} and {s.currency for s in saved} == {"JPY"}
    scenario = store.file(saved[0].id, "scenario.toml").decode()
    assert 'open = "09:00"' in scenario and 'close = "18:00"' in scenario
    schedule = store.table(saved[-1].id, "schedule.csv")
    days = set(schedule["date"].astype(str))
    assert "2026-02-11" not in days and len(days) == 5  # 建国記念の日: nobody rostered
    figures = plan_store.compare_table(store, [s.id for s in saved])
    assert figures.shape[1] >= 3

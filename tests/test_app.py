"""The Streamlit app, run headless with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from wfm import data, erlang

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_calculator_default_run_shows_library_numbers():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    frame, minutes = data.read_intervals(data.sample_path())
    day = data.average_day(data.aggregate_intervals(frame, minutes, 30), weekdays=[0, 1, 2, 3, 4])
    sized = erlang.size_intervals(day, 30, aht=240, service_level=0.8, answer_within=20,
                                  max_occupancy=0.9, shrinkage=0.3)
    assert metrics["Peak agents (productive)"] == str(int(sized["agents"].max()))
    assert metrics["Calls per day"] == f"{sized['y'].sum():,.0f}"


def test_changing_target_changes_staffing():
    at = AppTest.from_file(APP, default_timeout=60).run()
    hours = lambda: float(at.metric[2].value.replace(",", ""))  # noqa: E731
    before = hours()
    assert at.slider[0].label.startswith("Service level")
    at.slider[0].set_value(0.95).run()
    assert not at.exception
    assert hours() > before

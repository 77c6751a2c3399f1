"""`export.write_table` writes CSV through Arrow for speed: the bytes must be pandas' own.

pandas' ``to_csv`` is the reference (it is what the writer used before and what users'
files were written with); every table here is written both ways and compared.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wfm import export


def pandas_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    export.csv_safe(frame).to_csv(buffer, index=False)
    return buffer.getvalue()


def wfm_csv(frame: pd.DataFrame, tmp_path) -> str:
    path = tmp_path / "t.csv"
    export.write_table(frame, path)
    return path.read_bytes().decode("utf-8")


def test_every_float64_bit_pattern_class_reads_as_pandas_writes_it(tmp_path):
    rng = np.random.default_rng(3)
    values = np.concatenate([
        rng.integers(0, 2**64, 20_000, dtype=np.uint64).view(np.float64),  # any double, NaN included
        10.0 ** rng.uniform(-9, 19, 20_000) * rng.choice([-1, 1], 20_000),  # both exponent switch points
        rng.gamma(2.0, 50.0, 20_000).round(1),  # volumes and whole numbers
        [0.0, -0.0, np.nan, np.inf, -np.inf, 1e16, 9.999999999999998e15, 1e-4, 9.999999999999999e-05, 5e-324, 1e15],
    ])
    frame = pd.DataFrame({"value": values, "row": np.arange(len(values))})
    assert export._csv_columns(export.csv_safe(frame)) is not None  # the fast path is the one tested
    assert wfm_csv(frame, tmp_path) == pandas_csv(frame)


def test_sized_table_is_written_by_arrow_as_pandas_writes_it(tmp_path):
    from wfm import erlang

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "queue": rng.choice(["retail", "=cmd", "-x", "mobile"], 2_000),
        "ds": pd.date_range("2024-03-30 22:00", periods=2_000, freq="15min"),
        "y": rng.gamma(4.0, 10.0, 2_000).round(1),
        "aht": rng.uniform(120, 600, 2_000),
    })
    sized = erlang.size_intervals(frame, 15, erlang.ServiceTarget(max_occupancy=0.9, shrinkage=0.3))
    assert export._csv_columns(export.csv_safe(sized)) is not None
    text = wfm_csv(sized, tmp_path)
    assert text == pandas_csv(sized)
    assert "\n'=cmd," in text and "\n'-x," in text  # formula-safety kept on the fast path


def test_tables_arrow_cannot_write_the_same_way_go_through_pandas(tmp_path):
    stamps = pd.to_datetime(["2024-01-01 10:00:00.5", "2024-01-02 00:00:00.0"])
    cases = {
        "text needing quotes": pd.DataFrame({"a": ['say "hi"', "x,y"], "b": [1, 2]}),
        "line break": pd.DataFrame({"a": ["two\nlines", "x"], "b": [1, 2]}),
        "fractions of a second": pd.DataFrame({"ds": stamps, "b": [1, 2]}),
        "time zone": pd.DataFrame({"ds": stamps.tz_localize("Asia/Tokyo"), "b": [1, 2]}),
        "one column": pd.DataFrame({"a": ["", None]}),
        "mixed object": pd.DataFrame({"a": ["x", 1], "b": [1, 2]}),
        "float32": pd.DataFrame({"a": np.array([0.1, 1e-5], dtype=np.float32), "b": [1, 2]}),
        "no rows": pd.DataFrame({"a": [], "b": []}),
        "odd header": pd.DataFrame({"a,b": [1.5, 2.0], "c": [1, 2]}),
    }
    for name, frame in cases.items():
        assert export._csv_columns(export.csv_safe(frame)) is None, name
        assert wfm_csv(frame, tmp_path) == pandas_csv(frame), name


def test_stdout_gets_the_same_text(capsys):
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=3, freq="D"), "y": [1.0, 2.5, np.nan],
                          "queue": ["a", None, "@b"], "flag": [True, False, True]})
    export.write_table(frame, "-")
    assert capsys.readouterr().out == pandas_csv(frame)


text_cells = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6))


@settings(max_examples=60, deadline=None)
@given(
    floats=hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(allow_nan=True, allow_infinity=True)),
    ints=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=30, max_size=30),
    texts=st.lists(text_cells, min_size=30, max_size=30),
    # Within the nanosecond timestamp range as seconds, and as days when every one is at midnight.
    seconds=st.lists(st.one_of(st.none(), st.integers(-(2**31), 2**31)), min_size=30, max_size=30),
    midnight=st.booleans(),
    flags=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_any_table_reads_as_pandas_writes_it(tmp_path_factory, floats, ints, texts, seconds, midnight, flags):
    n = len(floats)
    stamps = pd.to_datetime([None if s is None else (s % 100_000 - 50_000) * 86_400 if midnight else s
                             for s in seconds[:n]], unit="s")
    frame = pd.DataFrame({
        "f": floats, "i": np.array(ints[:n], dtype=np.int64), "t": pd.Series(texts[:n], dtype=object),
        "ds": stamps, "flag": flags[:n], "n": pd.array([None if s is None else s for s in seconds[:n]], dtype="Int64"),
    })
    assert wfm_csv(frame, tmp_path_factory.mktemp("csv")) == pandas_csv(frame)

"""Checks for 06_data_pipelines/02_batch_processing: an incremental load that advances its
watermark only after each day's load succeeded, the days a backfill must reload, and a daily
aggregate computed chunk by chunk.

q1 receives the learner's function and calls it on scenarios it builds in a scratch folder
(a state file, a recording loader that fails on a chosen day). q2 receives the learner's
function and the notebook's checksums and watermark, and also tries scenarios of its own
(one before any watermark exists).
q3 receives the learner's function and writes its own orders file (with the course's seeded
writer) to compare results and peak traced memory against a whole-file read.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..check_helpers import call_learner, expect_function, expect_series, quiet, type_name
from ..exercises import Exercise, NotAttempted, attempted, expect, fail

NOTEBOOK = "06_data_pipelines/02_batch_processing"

DAYS = [f"2026-10-{day:02d}" for day in range(1, 8)]
CHUNK_ROWS = 5_000  # q3: rows per chunk the check asks for
FILE_ROWS = 100_000  # q3: rows of the check's own file
MEMORY_SHARE = 0.5  # q3: a chunked read must peak below this share of a whole-file read


class LoadFailed(RuntimeError):
    """Raised by the check's loader on the day it is told to fail."""


# -- q1: incremental load with a watermark -----------------------------------------------------
def _watermark(state_file) -> str | None:
    if not state_file.exists():
        return None
    try:
        return json.loads(state_file.read_text()).get("watermark")
    except (ValueError, AttributeError):
        fail("the state file no longer holds a JSON object with a `watermark`: write it with "
             "`save_watermark(state_file, day)`.")


def _run(incremental_load, available, state_file, fail_on=None):
    """Call the learner's function with a recording loader; return (calls, result, raised)."""
    calls: list[str] = []

    def load_day(day):
        calls.append(day)
        if day == fail_on:
            raise LoadFailed(f"the load of {day} failed")

    shown = f"incremental_load({available!r}, <state file>, load_day)"
    try:
        result = incremental_load(list(available), state_file, load_day)
    except LoadFailed:
        return calls, None, True
    except NotAttempted:
        raise
    except Exception as error:
        fail(f"`{shown}` raised {type_name(error)}: {error}")
    return calls, attempted(result), False


def _check_q1(incremental_load) -> str:
    import tempfile
    from pathlib import Path

    from ..paths import workspace

    expect_function(incremental_load, "incremental_load")
    shuffled = [DAYS[i] for i in (3, 0, 6, 2, 5, 1, 4)]
    with tempfile.TemporaryDirectory(dir=workspace("checks")) as scratch:
        # 1. A first run: no state yet, every available day is new.
        state = Path(scratch) / "first.json"
        calls, result, raised = _run(incremental_load, shuffled, state)
        expect(not raised, "a run without failures should not raise.")
        expect(sorted(set(calls)) == DAYS,
               "without a state file (no watermark yet) every available day is new: load "
               f"them all. Your function loaded {len(set(calls))} of {len(DAYS)}.")
        expect(calls == DAYS,
               "load the days in date order, oldest first (the available days may come in any "
               "order), so that the watermark only ever moves forward.")
        expect(isinstance(result, list) and result == DAYS,
               f"return the list of days loaded, in the order loaded (got {type_name(result)}).")
        expect(_watermark(state) == DAYS[-1],
               "after a successful run the state file's watermark should be the last day "
               "loaded.")
        # 2. A later run: only the days after the watermark.
        state = Path(scratch) / "later.json"
        state.write_text(json.dumps({"watermark": DAYS[2]}))
        calls, result, raised = _run(incremental_load, shuffled, state)
        if DAYS[2] in calls:
            fail(f"with the watermark at {DAYS[2]}, your function loaded {DAYS[2]} again: the "
                 "watermark is the last day ALREADY loaded, so only days strictly after it "
                 "are new (`>`, not `>=`).")
        if any(day < DAYS[2] for day in calls):
            fail("your function loaded days before the watermark: only days after it are new.")
        expect(calls == DAYS[3:],
               "with the watermark set, load every day after it, in date order, once.")
        expect(_watermark(state) == DAYS[-1], "the watermark should end on the last day loaded.")
        # 3. A run in which one day's load fails.
        state = Path(scratch) / "failing.json"
        state.write_text(json.dumps({"watermark": DAYS[1]}))
        calls, result, raised = _run(incremental_load, shuffled, state, fail_on=DAYS[4])
        mark = _watermark(state)
        if not raised:
            fail(f"the load of {DAYS[4]} failed, but your function did not let the error out: "
                 "a caught error looks like success to whoever runs the pipeline (and to "
                 "retries). Let the exception propagate.")
        if any(day > DAYS[4] for day in calls):
            fail(f"after the load of {DAYS[4]} failed, your function went on with later days: "
                 "stop at the first failure, or the watermark passes a day that is missing.")
        if mark is not None and mark >= DAYS[4]:
            fail(f"the load of {DAYS[4]} failed, yet the watermark says {mark}: it was moved "
                 "BEFORE the load succeeded, so the next run will skip that day forever. Save "
                 "the watermark after each successful load.")
        if mark == DAYS[1]:
            fail(f"{DAYS[2]} and {DAYS[3]} were loaded before {DAYS[4]} failed, yet the "
                 "watermark did not move: save it after EACH day's load, not once at the end "
                 "of the run, or a failure makes the retry load those days again.")
        expect(mark == DAYS[3],
               f"after loading {DAYS[2]} and {DAYS[3]} and failing on {DAYS[4]}, the watermark "
               f"should say {DAYS[3]}, the last day that really was loaded (it says {mark}).")
        # 4. The retry resumes where the failure stopped.
        calls, result, raised = _run(incremental_load, shuffled, state)
        expect(not raised and calls == DAYS[4:],
               "the retry after a failure should load the failed day and the days after it, "
               "each once.")
    return "days load in order, the watermark follows each success, and a retry resumes."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Three steps: read the watermark, pick the new days (after it, oldest first), load "
        "them one at a time.",
        "Day strings 'YYYY-MM-DD' sort and compare like the dates they name. The watermark is "
        "the last day already loaded, so the new days are strictly greater.",
        "In the loop: `load_day(day)` first, then `save_watermark(state_file, day)`; no "
        "try/except, so that a failure stops the run and leaves the watermark on the last "
        "success.",
    ],
)


# -- q2: the days a backfill must reload ----------------------------------------------------
def _backfill(landed: dict, loaded: dict, watermark) -> list[str]:
    if watermark is None:
        return []
    return sorted(day for day, digest in landed.items()
                  if day <= watermark and loaded.get(day) != digest)


def _expect_days(value, name: str) -> list[str]:
    expect(isinstance(value, list | tuple),
           f"`{name}` should return a list of days, not a {type_name(value)}.")
    expect(all(isinstance(day, str) for day in value),
           f"`{name}` should return the days as text, 'YYYY-MM-DD', like the dict keys.")
    return list(value)


def _check_q2(days_to_backfill, landed, loaded, watermark) -> str:
    expect_function(days_to_backfill, "days_to_backfill")
    cases = [(dict(landed), dict(loaded), watermark, "the notebook's landing folder")]
    made_landed = {day: f"sha-{day}" for day in DAYS}
    made_loaded = {day: f"sha-{day}" for day in DAYS[:5] if day != DAYS[1]}
    made_loaded[DAYS[2]] = "sha-of-the-first-delivery"
    cases.append((made_landed, made_loaded, DAYS[4], "a scenario of the check's own"))
    for case_landed, case_loaded, mark, where in cases:
        result = call_learner(days_to_backfill, dict(case_landed), dict(case_loaded), mark,
                              call=f"days_to_backfill(landed, loaded, watermark) on {where}")
        result = _expect_days(result, "days_to_backfill")
        right = _backfill(case_landed, case_loaded, mark)
        if sorted(result) == right:
            expect(result == right, "return the days in date order, oldest first.")
            continue
        after = [day for day in result if mark is not None and day > mark]
        if after:
            fail(f"on {where} you would backfill {len(after)} day(s) after the watermark: "
                 "those are new days, which the next incremental run loads. A backfill only "
                 "repairs days the watermark has already passed.")
        unchanged = [day for day in result if case_loaded.get(day) == case_landed.get(day)]
        if unchanged:
            fail(f"on {where} you would reload {len(unchanged)} day(s) whose file is exactly "
                 "the one already loaded (same checksum): nothing changed there.")
        missed = sorted(set(right) - set(result))
        if any(day not in case_loaded for day in missed):
            fail(f"on {where} you miss day(s) that were never loaded at all: a file that "
                 "arrived late, after the watermark had passed its day.")
        if missed:
            fail(f"on {where} you miss day(s) whose file was re-delivered: the checksum in the "
                 "landing folder differs from the one that was loaded.")
        fail(f"on {where} the days to backfill are not right.")
    # Before the first incremental run: no watermark, nothing loaded, nothing to repair.
    try:
        first = attempted(days_to_backfill(dict(made_landed), {}, None))
    except NotAttempted:
        raise
    except Exception as error:  # the learner's code broke: feedback, never a traceback
        fail(f"with no watermark yet (`watermark=None`) your function raised "
             f"{type_name(error)}: {error}. Before the first run nothing has been loaded, so "
             "nothing needs a backfill: return `[]` in that case.")
    first = _expect_days(first, "days_to_backfill")
    expect(first == [], f"with no watermark yet (`watermark=None`) your function returned "
                        f"{len(first)} day(s): every landed day is new, and the incremental "
                        "run loads new days. Return `[]` when there is no watermark.")
    return f"backfill {', '.join(_backfill(landed, loaded, watermark)) or 'nothing'}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Two kinds of day need a backfill, and both lie at or before the watermark: days "
        "never loaded, and days whose file changed since they were loaded.",
        "`loaded.get(day)` is None for a day never loaded, so one comparison with the "
        "landing checksum covers both kinds.",
        "`[]` when `watermark is None`; otherwise `sorted(day for day, digest in "
        "landed.items() if day <= watermark and loaded.get(day) != digest)`.",
    ],
)


# -- q3: daily revenue, one chunk at a time -------------------------------------------------
def _daily_revenue(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby(frame["ordered_at"].str.slice(0, 10))["amount"].sum()


def _peak(function, *args) -> tuple[object, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        result = function(*args)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, peak


def _check_q3(daily_revenue) -> str:
    import tempfile
    from pathlib import Path

    from ..dataset_builders import write_shop_large_orders
    from ..paths import workspace

    expect_function(daily_revenue, "daily_revenue")
    with tempfile.TemporaryDirectory(dir=workspace("checks")) as scratch:
        path = write_shop_large_orders(Path(scratch), n_rows=FILE_ROWS)
        whole, whole_peak = _peak(lambda: _daily_revenue(pd.read_csv(path)))
        with quiet():
            result, peak = _peak(call_learner, daily_revenue, path, CHUNK_ROWS)
    result = expect_series(result, "daily_revenue(path, chunksize)",
                           "of revenue indexed by day")
    index = result.index
    if isinstance(index, pd.DatetimeIndex):
        index = index.strftime("%Y-%m-%d")
    result = pd.Series(result.to_numpy(), index=pd.Index([str(i) for i in index]))
    if result.index.has_duplicates:
        fail("some days appear several times in the result: a day whose rows fall in two "
             "chunks gets one partial sum per chunk. Combine the chunks' sums by day.")
    missing = set(whole.index) - set(result.index)
    if missing:
        fail(f"{len(missing)} days of the file are missing from the result: every chunk "
             "must contribute, not only the last one.")
    expect(set(result.index) == set(whole.index),
           "the result should have exactly one value per day of the file, indexed by the "
           "day as 'YYYY-MM-DD'.")
    expect(list(result.index) == sorted(result.index), "sort the result by day.")
    values = result.reindex(whole.index).to_numpy(dtype=float)
    wrong = ~np.isclose(values, whole.to_numpy(dtype=float), rtol=1e-9, atol=1e-6)
    if wrong.any():
        fail(f"{int(wrong.sum())} days have the wrong revenue: sum `amount` over all rows of "
             "the day, adding up the partial sums of every chunk.")
    if peak > MEMORY_SHARE * whole_peak:
        fail(f"your function's peak memory is {peak / whole_peak:.0%} of reading the whole "
             "file at once: it holds the whole file (read in one go, or chunks gathered into "
             "one frame). Keep only each chunk's small daily sums.")
    return (f"right sums for {len(whole)} days, at well under half the peak memory of a "
            "whole-file read.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`pd.read_csv(path, chunksize=n)` returns an iterator of DataFrames of at most n rows "
        "each; only one of them needs to be in memory at a time.",
        "From each chunk keep only its revenue per day (a few hundred numbers), then add up "
        "the per-chunk results by day at the end.",
        "`parts = [c.groupby(c['ordered_at'].str.slice(0, 10))['amount'].sum() for c in "
        "pd.read_csv(path, chunksize=chunksize)]`, then "
        "`pd.concat(parts).groupby(level=0).sum()`.",
    ],
)

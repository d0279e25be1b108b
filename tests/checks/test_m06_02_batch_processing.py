"""The checks of 06_data_pipelines/02_batch_processing: right, wrong and not attempted."""

from __future__ import annotations

import json

import pandas as pd

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m06_02_batch_processing import q1, q2, q3


# -- q1: the notebook's helpers, as the learner's function sees them ---------------------------
def read_watermark(state_file):
    return json.loads(state_file.read_text())["watermark"] if state_file.exists() else None


def save_watermark(state_file, day):
    state_file.write_text(json.dumps({"watermark": day}))


def new_days(available, watermark):
    return sorted(d for d in available if watermark is None or d > watermark)


def reference(available_days, state_file, load_day):
    done = []
    for day in new_days(available_days, read_watermark(state_file)):
        load_day(day)
        save_watermark(state_file, day)
        done.append(day)
    return done


def test_q1_passes_the_reference():
    assert_passes(q1, reference)


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, lambda available_days, state_file, load_day: ...)


def test_q1_rejects_a_watermark_saved_before_the_load():
    def before(available_days, state_file, load_day):
        days = new_days(available_days, read_watermark(state_file))
        for day in days:
            save_watermark(state_file, day)
            load_day(day)
        return days
    assert_rejects(q1, before, mentions="BEFORE the load succeeded")

    def once(available_days, state_file, load_day):
        days = new_days(available_days, read_watermark(state_file))
        if days:
            save_watermark(state_file, days[-1])
        for day in days:
            load_day(day)
        return days
    assert_rejects(q1, once, mentions="BEFORE the load succeeded")


def test_q1_rejects_a_watermark_saved_once_after_the_run():
    def at_the_end(available_days, state_file, load_day):
        days = new_days(available_days, read_watermark(state_file))
        for day in days:
            load_day(day)
        if days:
            save_watermark(state_file, days[-1])
        return days
    assert_rejects(q1, at_the_end, mentions="after EACH day")


def test_q1_rejects_swallowed_errors_and_carrying_on():
    def swallow(available_days, state_file, load_day):
        days = new_days(available_days, read_watermark(state_file))
        for day in days:
            try:
                load_day(day)
            except Exception:
                break
            save_watermark(state_file, day)
        return days
    assert_rejects(q1, swallow, mentions="propagate")

    def carry_on(available_days, state_file, load_day):
        days, failure = new_days(available_days, read_watermark(state_file)), None
        for day in days:
            try:
                load_day(day)
                save_watermark(state_file, day)
            except Exception as error:
                failure = error
        if failure:
            raise failure
        return days
    assert_rejects(q1, carry_on, mentions="went on with later days")


def test_q1_rejects_greater_or_equal_unsorted_days_and_no_first_run():
    def reload_last(available_days, state_file, load_day):
        mark = read_watermark(state_file)
        days = sorted(d for d in available_days if mark is None or d >= mark)
        for day in days:
            load_day(day)
            save_watermark(state_file, day)
        return days
    assert_rejects(q1, reload_last, mentions="`>=`")

    def file_order(available_days, state_file, load_day):
        mark = read_watermark(state_file)
        days = [d for d in available_days if mark is None or d > mark]
        for day in days:
            load_day(day)
            save_watermark(state_file, day)
        return days
    assert_rejects(q1, file_order, mentions="date order")

    def needs_state(available_days, state_file, load_day):
        mark = json.loads(state_file.read_text())["watermark"]
        return reference([d for d in available_days if d > mark], state_file, load_day)
    assert_rejects(q1, needs_state, mentions="raised")


def test_q1_rejects_a_missing_return_value():
    def silent(available_days, state_file, load_day):
        reference(available_days, state_file, load_day)
    assert_rejects(q1, silent, mentions="return the list")


# -- q2 ------------------------------------------------------------------------------------------
LANDED = {f"2026-10-{d:02d}": f"x{d}" for d in range(1, 11)}
LOADED = {**{f"2026-10-{d:02d}": f"x{d}" for d in range(1, 11) if d != 5},
          "2026-10-02": "old"}
WATERMARK = "2026-10-10"


def backfill(landed, loaded, watermark):
    if watermark is None:
        return []
    return sorted(d for d, digest in landed.items() if d <= watermark and loaded.get(d) != digest)


def test_q2_passes_the_reference():
    assert_passes(q2, backfill, LANDED, LOADED, WATERMARK)


def test_q2_pending():
    assert_pending(q2)
    assert_pending(q2, ..., LANDED, LOADED, WATERMARK)


def test_q2_rejects_days_after_the_watermark():
    def everything_changed(landed, loaded, watermark):
        return sorted(d for d, digest in landed.items() if loaded.get(d) != digest)
    assert_rejects(q2, everything_changed, LANDED, LOADED, WATERMARK,
                   mentions="after the watermark")


def test_q2_rejects_a_function_that_fails_or_reloads_everything_without_a_watermark():
    def no_none(landed, loaded, watermark):
        return sorted(d for d, digest in landed.items()
                      if d <= watermark and loaded.get(d) != digest)
    assert_rejects(q2, no_none, LANDED, LOADED, WATERMARK, mentions="no watermark yet")

    def all_without_watermark(landed, loaded, watermark):
        return sorted(d for d, digest in landed.items()
                      if (watermark is None or d <= watermark) and loaded.get(d) != digest)
    assert_rejects(q2, all_without_watermark, LANDED, LOADED, WATERMARK, mentions="Return `[]`")


def test_q2_rejects_finding_only_one_kind_of_day():
    def only_missing(landed, loaded, watermark):
        return sorted(d for d in landed if d <= watermark and d not in loaded)
    assert_rejects(q2, only_missing, LANDED, LOADED, WATERMARK, mentions="re-delivered")

    def only_changed(landed, loaded, watermark):
        return sorted(d for d in landed
                      if d <= watermark and d in loaded and loaded[d] != landed[d])
    assert_rejects(q2, only_changed, LANDED, LOADED, WATERMARK, mentions="arrived late")


def test_q2_rejects_reloading_everything_and_unsorted_or_wrongly_typed_days():
    def all_days(landed, loaded, watermark):
        return sorted(d for d in landed if d <= watermark)
    assert_rejects(q2, all_days, LANDED, LOADED, WATERMARK, mentions="same checksum")

    def backwards(landed, loaded, watermark):
        return backfill(landed, loaded, watermark)[::-1]
    assert_rejects(q2, backwards, LANDED, LOADED, WATERMARK, mentions="date order")

    def as_dates(landed, loaded, watermark):
        return list(pd.to_datetime(backfill(landed, loaded, watermark)))
    assert_rejects(q2, as_dates, LANDED, LOADED, WATERMARK, mentions="as text")

    def as_set(landed, loaded, watermark):
        return set(backfill(landed, loaded, watermark))
    assert_rejects(q2, as_set, LANDED, LOADED, WATERMARK, mentions="list of days")


# -- q3 ------------------------------------------------------------------------------------------
def by_day(frame):
    return frame.groupby(frame["ordered_at"].str.slice(0, 10))["amount"].sum()


def chunked(path, chunksize):
    parts = [by_day(c) for c in pd.read_csv(path, chunksize=chunksize)]
    return pd.concat(parts).groupby(level=0).sum()


def test_q3_passes_the_reference_and_a_running_total():
    assert_passes(q3, chunked)

    def running(path, chunksize):
        total = pd.Series(dtype=float)
        for chunk in pd.read_csv(path, chunksize=chunksize, usecols=["ordered_at", "amount"]):
            total = total.add(by_day(chunk), fill_value=0.0)
        return total.sort_index()
    assert_passes(q3, running)


def test_q3_pending():
    assert_pending(q3)
    assert_pending(q3, lambda path, chunksize: ...)


def test_q3_rejects_whole_file_reads():
    assert_rejects(q3, lambda path, chunksize: by_day(pd.read_csv(path)), mentions="whole file")

    def gathered(path, chunksize):
        return by_day(pd.concat(pd.read_csv(path, chunksize=chunksize)))
    assert_rejects(q3, gathered, mentions="chunks gathered")


def test_q3_rejects_partial_sums_and_the_last_chunk_only():
    def per_chunk(path, chunksize):
        return pd.concat(by_day(c) for c in pd.read_csv(path, chunksize=chunksize))
    assert_rejects(q3, per_chunk, mentions="two chunks")

    def last_only(path, chunksize):
        result = None
        for chunk in pd.read_csv(path, chunksize=chunksize):
            result = by_day(chunk)
        return result
    assert_rejects(q3, last_only, mentions="only the last one")

    def first_wins(path, chunksize):
        parts = [by_day(c) for c in pd.read_csv(path, chunksize=chunksize)]
        return pd.concat(parts).groupby(level=0).first()
    assert_rejects(q3, first_wins, mentions="wrong revenue")


def test_q3_rejects_a_frame_and_an_unsorted_result():
    def frame(path, chunksize):
        return chunked(path, chunksize).to_frame()
    assert_rejects(q3, frame, mentions="Series")

    def unsorted(path, chunksize):
        return chunked(path, chunksize).sort_values()
    assert_rejects(q3, unsorted, mentions="sort the result")

"""Checks for 06_data_pipelines/01_etl: parsing mixed time stamps to UTC, de-duplicating on the
key, a left join that keeps every order, and partitioned Parquet that re-runs replace.

Every check receives the learner's function, then the data the notebook handed to it (the raw
``ordered_at`` column, the typed orders, the valid orders and clean customers, the enriched
orders). The check calls the function on copies of those inputs (and on variants it makes from
them: shuffled rows, a one-day batch) and compares with references computed here, so it stays
right for any data the notebook was run with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import call_learner, expect_frame, expect_function, expect_series, quiet
from ..exercises import Exercise, expect, fail

NOTEBOOK = "06_data_pipelines/01_etl"

CUSTOMER_COLUMNS = ("country", "segment", "signup_date")
PARTITION = "order_date"


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns and values, ignoring the index and the exact dtypes (NaN == NaN)."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    try:
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                      check_dtype=False, check_categorical=False,
                                      check_index_type=False)
    except (AssertionError, TypeError, ValueError):
        return False
    return True


# -- q1: parse the mixed time stamps to UTC ---------------------------------------------------
def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


def _check_q1(parse_timestamps, ordered_at) -> str:
    expect_function(parse_timestamps, "parse_timestamps")
    values = expect_series(ordered_at, "ordered_at", "(the raw text column)")
    result = call_learner(parse_timestamps, values.copy(),
                          call="parse_timestamps(raw_orders['ordered_at'])")
    result = expect_series(result, "parse_timestamps(...)", "of time stamps, one per row")
    expect(len(result) == len(values) and result.index.equals(values.index),
           "the result should have one value per input row, with the input's index, so that it "
           "lines up with the other columns.")
    reference = _utc(values)
    if not pd.api.types.is_datetime64_any_dtype(result):
        import datetime

        first = next((v for v in result if v is not None and v == v), None)
        if isinstance(first, datetime.date) and not isinstance(first, datetime.datetime):
            fail("the result holds dates only: return the full time stamps (the date comes "
                 "later, from the UTC time).")
        fail(f"the result has dtype {result.dtype}, not datetime64: naive and offset-aware "
             "time stamps are mixed in one column (or left as text). Parse them all into one "
             "time zone, UTC.")
    if result.dt.tz is None:
        stripped = pd.to_datetime(values.str.slice(0, 19), format="ISO8601", errors="coerce")
        if (result.dropna() == stripped[result.notna()]).all():
            fail("the result has no time zone and the '+01:00' rows kept their local clock "
                 "time: the offset was dropped instead of applied. Convert every time stamp to "
                 "UTC.")
        fail("the result has no time zone: return UTC time stamps (dtype "
             "datetime64[..., UTC]) so that nobody has to guess what the numbers mean.")
    if str(result.dt.tz) != "UTC":
        fail(f"the result is in the time zone {result.dt.tz}; convert it to UTC.")
    missing = int(result.isna().sum())
    expected_missing = int(reference.isna().sum())
    if missing > expected_missing:
        naive = values.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", na=False)
        lost_naive = int((result.isna() & reference.notna() & naive).sum())
        if lost_naive:
            fail(f"{missing - expected_missing} valid time stamps became NaT, among them "
                 f"{lost_naive} written without a zone: pandas inferred ONE format from the "
                 "first value and turned every row in another notation into NaT. Say that the "
                 "values are ISO 8601 in any of its notations.")
        fail(f"{missing - expected_missing} valid time stamps became NaT; only the unparseable "
             "ones should.")
    if missing < expected_missing:
        fail(f"{expected_missing - missing} time stamp(s) that are not ISO 8601 got a value: a "
             "guessing parser read them (is 31/10 day/month or month/day?). The exports "
             "promise ISO 8601, so anything else should become NaT, and the pipeline rejects "
             "those rows.")
    same = (result.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
            == reference.astype("datetime64[us, UTC]")) | (result.isna() & reference.isna())
    if not same.all():
        wrong = ~same
        naive = values.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", na=False)
        if (wrong & naive).sum() == wrong.sum():
            fail(f"{int(wrong.sum())} time stamps without a zone are shifted: the data card "
                 "says the legacy exporter writes them in UTC, so read them as UTC.")
        fail(f"{int(wrong.sum())} time stamps differ from the instants the text says: apply "
             "each row's offset ('Z' is UTC, '+01:00' is one hour ahead of UTC).")
    shifted = int((values.str.endswith("+01:00", na=False)
                   & (values.str.slice(0, 10) != reference.dt.strftime("%Y-%m-%d"))).sum())
    return (f"{len(values) - missing} time stamps in UTC, {missing} unparseable; {shifted} "
            "local times fall on the previous day in UTC.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "One call of `pd.to_datetime` can do it all; three of its arguments matter here.",
        "`utc=True` turns offsets into UTC and reads naive values as UTC; `errors='coerce'` "
        "turns what cannot be parsed into NaT instead of raising.",
        "Without a `format`, pandas guesses one from the first value and applies it to all: "
        "`format='ISO8601'` accepts every ISO 8601 notation. "
        "`pd.to_datetime(values, utc=True, format='ISO8601', errors='coerce')`.",
    ],
)


# -- q2: one row per order, the latest export ---------------------------------------------------
def _latest(orders: pd.DataFrame) -> pd.DataFrame:
    latest = orders.sort_values("exported_at", kind="stable").drop_duplicates("order_id",
                                                                               keep="last")
    return latest.sort_values("order_id").reset_index(drop=True)


def _by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["order_id", "exported_at"]).reset_index(drop=True)


def _check_q2(deduplicate, orders) -> str:
    expect_function(deduplicate, "deduplicate")
    orders = expect_frame(orders, "orders")
    given = orders.copy()
    result = call_learner(deduplicate, given, call="deduplicate(typed)")
    result = expect_frame(result, "deduplicate(typed)", "of orders")
    expect(_same_frame(given, orders),
           "`deduplicate` changed the frame it was given (an `inplace=True`?). A pipeline step "
           "should be a pure function: build and return a new frame.")
    expect(list(result.columns) == list(orders.columns),
           "the result should keep exactly the input's columns, in the same order.")
    reference = _latest(orders)
    ids = result["order_id"]
    if ids.duplicated().any():
        twice = int(ids.duplicated().sum())
        whole_row = orders.drop_duplicates()
        if len(result) == len(whole_row):
            fail(f"{twice} order ids still appear more than once: you removed rows that are "
                 "identical in EVERY column, but a re-exported order differs in `exported_at`. "
                 "De-duplicate on the key, `order_id`.")
        fail(f"{twice} order ids still appear more than once: keep one row per `order_id`.")
    missing = set(reference["order_id"]) - set(ids)
    if missing:
        fail(f"{len(missing)} orders are missing from the result: an order that was exported "
             "twice should keep one row, not lose both (`keep=False` drops every copy).")
    expect(len(result) == len(reference), "the result has orders that the input does not have.")
    if not _same_frame(_by_id(result), reference):
        earliest = (orders.sort_values("exported_at", kind="stable")
                    .drop_duplicates("order_id", keep="first"))
        if _same_frame(_by_id(result), _by_id(earliest)):
            fail("you kept the FIRST export of each re-exported order; keep the latest one "
                 "(the largest `exported_at`), which carries the order's current state.")
        fail("some orders kept the wrong row: keep, for each `order_id`, the row with the "
             "latest `exported_at`.")
    shuffled = orders.sample(frac=1.0, random_state=0)
    again = call_learner(deduplicate, shuffled.copy(), call="deduplicate(<typed, rows shuffled>)")
    again = expect_frame(again, "deduplicate(<shuffled rows>)")
    expect(len(again) == len(reference) and _same_frame(_by_id(again), reference),
           "on the same orders in another row order, your function keeps other rows: it "
           "relies on the file's order. Sort by `exported_at` before keeping the last row.")
    return (f"{len(orders)} rows -> {len(reference)} orders "
            f"({len(orders) - len(orders.drop_duplicates())} exact copies and "
            f"{len(orders.drop_duplicates()) - len(reference)} re-exports removed).")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Which column identifies an order? Two rows with the same value there are the same "
        "order, even if another column differs.",
        "`drop_duplicates` takes `subset=` (the key) and `keep=` ('first' or 'last'); 'last' "
        "means last in the frame's current row order, so put the rows in export order first.",
        "`orders.sort_values('exported_at').drop_duplicates(subset='order_id', keep='last')`.",
    ],
)


# -- q3: attach the customer's fields to every order ------------------------------------------
def _check_q3(add_customers, orders, customers) -> str:
    expect_function(add_customers, "add_customers")
    orders = expect_frame(orders, "orders")
    customers = expect_frame(customers, "customers")
    result = call_learner(add_customers, orders.copy(), customers.copy(),
                          call="add_customers(valid, customers)")
    wanted = [*orders.columns, *CUSTOMER_COLUMNS]
    result = expect_frame(result, "add_customers(valid, customers)", "of orders",
                          columns=wanted)
    known = orders["customer_id"].isin(customers["customer_id"])
    orphans = int((~known).sum())
    if len(result) < len(orders):
        lost = len(orders) - len(result)
        if lost == orphans:
            fail(f"{lost} orders disappeared: those of customers missing from the customer "
                 "file. An inner join drops them silently, and the order counts and revenue "
                 "no longer reconcile. Keep every order (a left join).")
        fail(f"{lost} orders disappeared in the join: every order must stay.")
    if result["order_id"].isna().any():
        fail("some rows have no order: customers without orders were added (a right or outer "
             "join). Keep exactly the orders, each once (a left join).")
    if len(result) > len(orders):
        fail(f"the join made {len(result) - len(orders)} extra rows: some customer ids appear "
             "more than once in the customer table you joined. Each order must match at most "
             "one customer (`validate='many_to_one'` would have caught it).")
    expect(list(result["order_id"]) == list(orders["order_id"]),
           "keep the orders in their input order (a left join does).")
    reference = orders.merge(customers[["customer_id", *CUSTOMER_COLUMNS]], on="customer_id",
                             how="left")
    expect(_same_frame(result, reference),
           "the customer fields do not match the customer of each order: join on "
           "`customer_id`.")
    return (f"{len(result)} orders kept, {orphans} of them from customers unknown to the "
            "customer file.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`DataFrame.merge` joins two frames on a key column; its `how=` decides what happens to "
        "rows without a partner.",
        "Every order must stay, matched or not: that is `how='left'` with the orders on the left. "
        "Select the customer columns you need (and the key) before merging.",
        "`orders.merge(customers[['customer_id', 'country', 'segment', 'signup_date']], "
        "on='customer_id', how='left', validate='many_to_one')`.",
    ],
)


# -- q4: partitioned Parquet that a re-run replaces --------------------------------------------
def _read_back(folder) -> pd.DataFrame:
    frame = pd.read_parquet(folder)
    frame[PARTITION] = frame[PARTITION].astype(str)
    return frame


def _rows_per_day(frame: pd.DataFrame) -> pd.Series:
    return frame[PARTITION].astype(str).value_counts().sort_index()


def _check_q4(write_partitions, enriched) -> str:
    import tempfile
    from pathlib import Path

    from ..paths import workspace

    expect_function(write_partitions, "write_partitions")
    frame = expect_frame(enriched, "enriched")
    days = sorted(frame[PARTITION].unique())
    one_day = days[len(days) // 2]
    corrected = frame[frame[PARTITION] == one_day].iloc[:-1].copy()
    corrected["amount"] = corrected["amount"] + 1.0
    with tempfile.TemporaryDirectory(dir=workspace("checks")) as scratch:
        folder = Path(scratch) / "orders"
        call_learner(write_partitions, frame.copy(), folder,
                     call="write_partitions(enriched, <folder>)")
        files = list(folder.rglob("*.parquet")) if folder.exists() else []
        expect(files, "nothing was written: write the frame as Parquet files under `folder`.")
        folders = {p.parent.name for p in files}
        expect(folders == {f"{PARTITION}={day}" for day in days},
               f"the files should sit in one folder per day, named `{PARTITION}=<day>` "
               f"(partition by `{PARTITION}`, nothing else).")
        with quiet():
            first = _read_back(folder)
        expect(len(first) == len(frame),
               f"reading the folder back gives {len(first)} rows, but the frame has "
               f"{len(frame)}.")
        call_learner(write_partitions, frame.copy(), folder,
                     call="write_partitions(enriched, <folder>) (a second time)")
        with quiet():
            second = _read_back(folder)
        if len(second) > len(frame):
            fail(f"after writing the same frame twice the folder holds {len(second)} rows, not "
                 f"{len(frame)}: the second run ADDED files next to the first run's instead "
                 "of replacing them, so a re-run duplicates every order. Replace the "
                 "partitions you write.")
        expect(len(second) == len(frame),
               f"after a second run the folder holds {len(second)} rows, not {len(frame)}.")
        call_learner(write_partitions, corrected.copy(), folder,
                     call=f"write_partitions(<a corrected batch of {one_day}>, <folder>)")
        with quiet():
            third = _read_back(folder)
    expected = _rows_per_day(frame)
    expected[one_day] = len(corrected)
    got = _rows_per_day(third)
    if len(got) < len(expected):
        fail(f"writing a corrected batch of one day left {len(got)} day(s) in the folder, not "
             f"{len(expected)}: the other days' partitions were deleted. Replace only the "
             "partitions the frame contains.")
    if got.get(one_day, 0) > len(corrected):
        fail(f"after writing a corrected batch of {one_day}, that day holds "
             f"{got.get(one_day, 0)} rows, not {len(corrected)}: the old rows are still there "
             "next to the new ones. Replace the partitions you write.")
    expect(got.equals(expected),
           "after writing a corrected batch of one day, the folder does not hold exactly that "
           "batch for this day and the earlier rows for the others.")
    amounts = np.sort(third.loc[third[PARTITION] == one_day, "amount"].to_numpy(dtype=float))
    expect(np.allclose(amounts, np.sort(corrected["amount"].to_numpy(dtype=float)), equal_nan=True),
           "the corrected day does not hold the corrected amounts.")
    return (f"{len(days)} day partitions; a re-run and a corrected day replace their "
            "partitions and leave the rest.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "`DataFrame.to_parquet(folder, partition_cols=[...])` writes one sub-folder per value; "
        "try it twice on a scratch folder and count the rows you read back.",
        "pyarrow names each new file with a random id, so a second write adds files. Its "
        "`existing_data_behavior` option decides what happens to files already there.",
        "`frame.to_parquet(folder, partition_cols=['order_date'], "
        "existing_data_behavior='delete_matching')` deletes the partitions being written, and "
        "only those, before writing.",
    ],
)

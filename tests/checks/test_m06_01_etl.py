"""The checks of 06_data_pipelines/01_etl: right, wrong and not attempted."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import shop_files
from utils.checks.m06_01_etl import q1, q2, q3, q4

WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
COUNTRIES = {"gb": "GB", "uk": "GB", "u.k.": "GB", "united kingdom": "GB", "de": "DE",
             "germany": "DE", "fr": "FR", "france": "FR", "nl": "NL", "netherlands": "NL",
             "ie": "IE", "ireland": "IE"}


def to_utc(values):
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


@pytest.fixture(scope="module")
def shop():
    """The frames the notebook hands to the checks, built the notebook's way."""
    paths = shop_files()
    raw = pd.read_csv(paths.orders, dtype=str, keep_default_na=False, na_values=[""])
    typed = pd.DataFrame({
        "order_id": raw["order_id"], "customer_id": raw["customer_id"],
        "ordered_at": to_utc(raw["ordered_at"]),
        "category": raw["category"].str.strip().str.lower().fillna("unknown"),
        "quantity": pd.to_numeric(raw["quantity"].str.lower().replace(WORDS),
                                  errors="coerce").astype("Int64"),
        "amount": pd.to_numeric(raw["amount"].str.replace(",", "."), errors="coerce"),
        "exported_at": to_utc(raw["exported_at"]),
    })
    orders = (typed.sort_values("exported_at", kind="stable")
              .drop_duplicates("order_id", keep="last").reset_index(drop=True))
    bad = (orders["ordered_at"].isna() | orders["quantity"].lt(1)
           | orders["amount"].gt(5000) | orders["amount"].le(0))
    valid = orders[~bad].reset_index(drop=True)
    raw_customers = pd.read_json(paths.customers, lines=True, dtype=False)
    customers = raw_customers.drop_duplicates("customer_id").reset_index(drop=True)
    customers = customers.assign(
        country=customers["country"].str.strip().str.lower().map(COUNTRIES),
        signup_date=pd.to_datetime(customers["signup_date"], utc=True))
    joined = valid.merge(customers[["customer_id", "country", "segment", "signup_date"]],
                         on="customer_id", how="left")
    enriched = joined.assign(order_date=joined["ordered_at"].dt.strftime("%Y-%m-%d"))
    return {"raw": raw, "typed": typed, "valid": valid, "customers": customers,
            "raw_customers": raw_customers, "enriched": enriched}


# -- q1 -----------------------------------------------------------------------------------------
def test_q1_passes_the_reference(shop):
    assert_passes(q1, to_utc, shop["raw"]["ordered_at"])


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, ..., pd.Series(["2026-10-01T00:00:00Z"]))


def test_q1_rejects_a_guessed_format(shop):
    def guessed(values):
        return pd.to_datetime(values, utc=True, errors="coerce")
    assert_rejects(q1, guessed, shop["raw"]["ordered_at"], mentions="inferred ONE format")


def test_q1_rejects_local_time_kept_and_naive_results(shop):
    def local(values):
        return pd.to_datetime(values.str.slice(0, 19), format="ISO8601", errors="coerce")
    assert_rejects(q1, local, shop["raw"]["ordered_at"], mentions="offset was dropped")

    def naive(values):
        return to_utc(values).dt.tz_localize(None)
    assert_rejects(q1, naive, shop["raw"]["ordered_at"], mentions="no time zone")


def test_q1_rejects_mixed_objects_other_zones_and_crashes(shop):
    def objects(values):
        return values.map(lambda v: pd.Timestamp(v) if v[:2] == "20" and "32" not in v[8:10]
                          else None)
    assert_rejects(q1, objects, shop["raw"]["ordered_at"], mentions="not datetime64")

    def dates_only(values):
        return to_utc(values).dt.date
    assert_rejects(q1, dates_only, shop["raw"]["ordered_at"], mentions="dates only")

    def berlin(values):
        return to_utc(values).dt.tz_convert("Europe/Berlin")
    assert_rejects(q1, berlin, shop["raw"]["ordered_at"], mentions="convert it to UTC")

    def strict(values):
        return pd.to_datetime(values, utc=True, format="ISO8601")
    assert_rejects(q1, strict, shop["raw"]["ordered_at"], mentions="raised")


def test_q1_rejects_naive_values_read_as_local_and_a_guessing_parser(shop):
    def naive_local(values):
        naive = values.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", na=False)
        result = to_utc(values)
        return result.where(~naive, result - pd.Timedelta(hours=1))
    assert_rejects(q1, naive_local, shop["raw"]["ordered_at"], mentions="read them as UTC")

    def mixed(values):
        return pd.to_datetime(values, utc=True, format="mixed", dayfirst=True, errors="coerce")
    assert_rejects(q1, mixed, shop["raw"]["ordered_at"], mentions="not ISO 8601")


def test_q1_rejects_a_result_that_loses_the_index(shop):
    def reindexed(values):
        return to_utc(values).reset_index(drop=True)
    values = shop["raw"]["ordered_at"].iloc[10:]
    assert_rejects(q1, reindexed, values, mentions="input's index")


# -- q2 -----------------------------------------------------------------------------------------
def latest(orders):
    return orders.sort_values("exported_at").drop_duplicates("order_id", keep="last")


def test_q2_passes_the_reference_and_other_right_answers(shop):
    assert_passes(q2, latest, shop["typed"])

    def grouped(orders):
        return orders.loc[orders.groupby("order_id")["exported_at"].idxmax()]
    assert_passes(q2, grouped, shop["typed"])


def test_q2_pending(shop):
    assert_pending(q2)
    assert_pending(q2, ..., shop["typed"])
    assert_pending(q2, lambda orders: ..., shop["typed"])


def test_q2_rejects_whole_row_deduplication(shop):
    assert_rejects(q2, lambda orders: orders.drop_duplicates(), shop["typed"],
                   mentions="de-duplicate on the key")


def test_q2_rejects_the_first_export_and_losing_both_copies(shop):
    def first(orders):
        return orders.sort_values("exported_at").drop_duplicates("order_id", keep="first")
    assert_rejects(q2, first, shop["typed"], mentions="FIRST export")

    def neither(orders):
        return orders.drop_duplicates("order_id", keep=False)
    assert_rejects(q2, neither, shop["typed"], mentions="keep=False")


def test_q2_rejects_relying_on_file_order_and_changing_the_input(shop):
    def file_order(orders):
        return orders.drop_duplicates("order_id", keep="last")
    assert_rejects(q2, file_order, shop["typed"], mentions="row order")

    def in_place(orders):
        orders.loc[:, "amount"] = orders["amount"].fillna(0.0)
        return latest(orders)
    assert_rejects(q2, in_place, shop["typed"], mentions="pure function")


def test_q2_rejects_dropped_columns(shop):
    def fewer(orders):
        return latest(orders).drop(columns="exported_at")
    assert_rejects(q2, fewer, shop["typed"], mentions="same order")


# -- q3 -----------------------------------------------------------------------------------------
FIELDS = ["customer_id", "country", "segment", "signup_date"]


def test_q3_passes_the_reference(shop):
    def left(orders, customers):
        return orders.merge(customers[FIELDS], on="customer_id", how="left",
                            validate="many_to_one")
    assert_passes(q3, left, shop["valid"], shop["customers"])


def test_q3_pending(shop):
    assert_pending(q3)
    assert_pending(q3, ..., shop["valid"], shop["customers"])


def test_q3_rejects_an_inner_join(shop):
    def inner(orders, customers):
        return orders.merge(customers[FIELDS], on="customer_id")
    assert_rejects(q3, inner, shop["valid"], shop["customers"], mentions="inner join")


def test_q3_rejects_outer_joins_and_duplicated_customers(shop):
    def outer(orders, customers):
        return orders.merge(customers[FIELDS], on="customer_id", how="outer", sort=False)
    assert_rejects(q3, outer, shop["valid"], shop["customers"], mentions="outer")

    def repeated(orders, customers):
        fields = pd.concat([customers[FIELDS], customers[FIELDS].head(5)])
        return orders.merge(fields, on="customer_id", how="left")
    assert_rejects(q3, repeated, shop["valid"], shop["customers"], mentions="more than once")


def test_q3_rejects_wrong_columns_and_a_wrong_key(shop):
    def everything(orders, customers):
        return orders.merge(customers, on="customer_id", how="left")
    assert_rejects(q3, everything, shop["valid"], shop["customers"], mentions="columns")

    def shifted(orders, customers):
        fields = customers[FIELDS].assign(customer_id=customers["customer_id"].shift(1))
        return orders.merge(fields, on="customer_id", how="left")
    assert_rejects(q3, shifted, shop["valid"], shop["customers"], mentions="customer_id")


# -- q4 -----------------------------------------------------------------------------------------
def test_q4_passes_the_reference_and_pyarrow_directly(shop):
    def replace(frame, folder):
        frame.to_parquet(folder, partition_cols=["order_date"],
                         existing_data_behavior="delete_matching")
    assert_passes(q4, replace, shop["enriched"])

    def with_pyarrow(frame, folder):
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), folder,
                            partition_cols=["order_date"],
                            existing_data_behavior="delete_matching",
                            basename_template="part-{i}.parquet")
    assert_passes(q4, with_pyarrow, shop["enriched"])


def test_q4_pending(shop):
    assert_pending(q4)
    assert_pending(q4, ..., shop["enriched"])


def test_q4_rejects_appending(shop):
    def append(frame, folder):
        frame.to_parquet(folder, partition_cols=["order_date"])
    assert_rejects(q4, append, shop["enriched"], mentions="re-run duplicates")


def test_q4_rejects_deleting_the_whole_folder(shop):
    def wipe(frame, folder):
        shutil.rmtree(folder, ignore_errors=True)
        frame.to_parquet(folder, partition_cols=["order_date"])
    assert_rejects(q4, wipe, shop["enriched"], mentions="other days")


def test_q4_rejects_no_partitions_and_the_wrong_partition_column(shop):
    def single_file(frame, folder):
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(folder / "orders.parquet")
    assert_rejects(q4, single_file, shop["enriched"], mentions="one folder per day")

    def by_category(frame, folder):
        frame.to_parquet(folder, partition_cols=["category"],
                         existing_data_behavior="delete_matching")
    assert_rejects(q4, by_category, shop["enriched"], mentions="one folder per day")

    def nothing(frame, folder):
        return None
    assert_rejects(q4, nothing, shop["enriched"], mentions="nothing was written")

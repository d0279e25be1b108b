"""The checks of 06_data_pipelines/03_data_validation: right, wrong and not attempted."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.errors import SchemaErrors

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import shop_files
from utils.checks.m06_03_data_validation import q1, q2, q3

COUNTRIES = ["GB", "DE", "FR", "NL", "IE"]
PERIOD_START, PERIOD_END = "2026-10-01", "2026-11-01"
CATEGORIES = ["books", "clothing", "electronics", "garden", "toys"]
WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}


# -- the lesson's data, as the notebook prepares it ------------------------------------------
@pytest.fixture(scope="module")
def customers():
    raw = pd.read_json(shop_files().customers, lines=True, dtype=False)
    return raw.drop_duplicates().assign(signup_date=pd.to_datetime(raw["signup_date"]))


@pytest.fixture(scope="module")
def orders():
    raw = pd.read_csv(shop_files().orders, dtype=str, keep_default_na=False, na_values=[""])
    raw = raw.sort_values("exported_at", kind="stable").drop_duplicates("order_id", keep="last")
    return pd.DataFrame({
        "order_id": raw["order_id"],
        "customer_id": raw["customer_id"],
        "ordered_at": pd.to_datetime(raw["ordered_at"], utc=True, format="ISO8601",
                                     errors="coerce"),
        "category": raw["category"].str.strip().str.lower(),
        "quantity": pd.to_numeric(raw["quantity"].replace(WORDS), errors="coerce")
        .astype("Int64"),
        "amount": pd.to_numeric(raw["amount"].str.replace(",", ".", regex=False),
                                errors="coerce"),
    })


def _unit_price_in_range(frame):
    unit_price = frame["amount"] / frame["quantity"]
    return unit_price.between(1, 500) | unit_price.isna()


@pytest.fixture(scope="module")
def orders_schema():
    start, end = pd.Timestamp(PERIOD_START, tz="UTC"), pd.Timestamp(PERIOD_END, tz="UTC")
    return pa.DataFrameSchema(
        {
            "order_id": pa.Column(str, pa.Check.str_matches(r"^O\d{6}$"), unique=True),
            "customer_id": pa.Column(str, pa.Check.str_matches(r"^C\d{4}$")),
            "ordered_at": pa.Column(pd.DatetimeTZDtype("us", "UTC"),
                                    pa.Check.in_range(start, end, include_max=False)),
            "category": pa.Column(str, pa.Check.isin(CATEGORIES), nullable=True),
            "quantity": pa.Column("Int64", pa.Check.in_range(1, 5)),
            "amount": pa.Column(float, pa.Check.in_range(0, 5000, include_min=False),
                                nullable=True),
        },
        checks=pa.Check(_unit_price_in_range, name="unit_price_in_range"),
        strict=True,
    )


# -- q1 -----------------------------------------------------------------------------------
def _customers_schema(**changes):
    columns = {
        "customer_id": pa.Column(str, pa.Check.str_matches(r"^C\d{4}$"), unique=True),
        "email": pa.Column(str, pa.Check.str_contains("@"), nullable=True),
        "country": pa.Column(str, pa.Check.isin(COUNTRIES)),
        "signup_date": pa.Column("datetime64[us]", pa.Check.le(pd.Timestamp(PERIOD_START))),
        "segment": pa.Column(str, pa.Check.isin(["consumer", "business"])),
    }
    strict = changes.pop("strict", True)
    columns.update(changes)
    return pa.DataFrameSchema(columns, strict=strict)


def test_q1_passes_on_the_reference_schema(customers):
    assert_passes(q1, _customers_schema(), customers, COUNTRIES, PERIOD_START)


def test_q1_pending(customers):
    assert_pending(q1)
    assert_pending(q1, ..., customers, COUNTRIES, PERIOD_START)


def test_q1_rejects_a_missing_uniqueness_rule(customers):
    schema = _customers_schema(customer_id=pa.Column(str, pa.Check.str_matches(r"^C\d{4}$")))
    assert_rejects(q1, schema, customers, COUNTRIES, PERIOD_START, mentions="unique")


def test_q1_rejects_country_only_typed_as_text(customers):
    schema = _customers_schema(country=pa.Column(str))
    assert_rejects(q1, schema, customers, COUNTRIES, PERIOD_START, mentions="'UK'")


def test_q1_rejects_nullable_country_and_required_email(customers):
    nullable = _customers_schema(country=pa.Column(str, pa.Check.isin(COUNTRIES),
                                                   nullable=True))
    assert_rejects(q1, nullable, customers, COUNTRIES, PERIOD_START,
                   mentions="without a country")
    required = _customers_schema(email=pa.Column(str, pa.Check.str_contains("@")))
    assert_rejects(q1, required, customers, COUNTRIES, PERIOD_START, mentions="'email'")


def test_q1_rejects_a_schema_that_is_not_strict_or_misses_rules(customers):
    assert_rejects(q1, _customers_schema(strict=False), customers, COUNTRIES, PERIOD_START,
                   mentions="strict=True")
    no_range = _customers_schema(signup_date=pa.Column("datetime64[us]"))
    assert_rejects(q1, no_range, customers, COUNTRIES, PERIOD_START, mentions="signup date")
    no_segment = _customers_schema(segment=pa.Column(str))
    assert_rejects(q1, no_segment, customers, COUNTRIES, PERIOD_START, mentions="segment")


def test_q1_rejects_a_too_strict_schema_and_wrong_types(customers):
    wrong_dtype = _customers_schema(signup_date=pa.Column("datetime64[ns, UTC]"))
    assert_rejects(q1, wrong_dtype, customers, COUNTRIES, PERIOD_START, mentions="too strict")
    assert_rejects(q1, pa.Column(str), customers, COUNTRIES, PERIOD_START,
                   mentions="DataFrameSchema")
    partial = pa.DataFrameSchema({"customer_id": pa.Column(str, unique=True)})
    assert_rejects(q1, partial, customers, COUNTRIES, PERIOD_START, mentions="lacks")


# -- q2 -----------------------------------------------------------------------------------
def reference_quarantine(frame, schema):
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        failures = errors.failure_cases
        if failures["index"].isna().any():
            raise
        reasons = failures.groupby("index")["check"].agg(
            lambda checks: "; ".join(sorted(set(map(str, checks)))))
        bad = frame.index.isin(reasons.index)
        quarantined = frame[bad].assign(reason=reasons.reindex(frame.index[bad]).to_numpy())
        return frame[~bad], quarantined
    return frame, frame.iloc[:0].assign(reason=pd.Series(dtype=str))


def test_q2_passes_on_the_reference(orders, orders_schema):
    assert_passes(q2, reference_quarantine, orders, orders_schema)


def test_q2_pending(orders, orders_schema):
    assert_pending(q2)
    assert_pending(q2, ..., orders, orders_schema)
    assert_pending(q2, lambda frame, schema: ..., orders, orders_schema)


def test_q2_rejects_eager_validation(orders, orders_schema):
    def eager(frame, schema):
        from pandera.errors import SchemaError
        try:
            schema.validate(frame)
        except SchemaError as error:
            rows = error.failure_cases["index"]
            bad = frame.index.isin(rows)
            return frame[~bad], frame[bad].assign(reason=str(error.check))
        return frame, frame.iloc[:0].assign(reason=pd.Series(dtype=str))

    assert_rejects(q2, eager, orders, orders_schema, mentions="lazy=True")


def test_q2_rejects_dropping_invalid_rows(orders, orders_schema):
    def drop(frame, schema):
        valid, quarantined = reference_quarantine(frame, schema)
        return valid, quarantined.iloc[:0]

    assert_rejects(q2, drop, orders, orders_schema, mentions="dropped")


def test_q2_rejects_one_row_per_failure(orders, orders_schema):
    def per_failure(frame, schema):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            failures = errors.failure_cases.dropna(subset=["index"])
            bad = frame.index.isin(failures["index"])
            quarantined = frame.loc[failures["index"]].assign(
                reason=failures["check"].astype(str).to_numpy())
            return frame[~bad], quarantined
        return frame, frame.iloc[:0].assign(reason=pd.Series(dtype=str))

    assert_rejects(q2, per_failure, orders, orders_schema, mentions="more than once")


def test_q2_rejects_a_reset_index_no_reason_and_incomplete_reasons(orders, orders_schema):
    def reset(frame, schema):
        valid, quarantined = reference_quarantine(frame, schema)
        return valid.reset_index(drop=True), quarantined

    assert_rejects(q2, reset, orders, orders_schema, mentions="index")

    def no_reason(frame, schema):
        valid, quarantined = reference_quarantine(frame, schema)
        return valid, quarantined.drop(columns="reason")

    assert_rejects(q2, no_reason, orders, orders_schema, mentions="reason")

    def first_reason(frame, schema):
        valid, quarantined = reference_quarantine(frame, schema)
        return valid, quarantined.assign(reason=quarantined["reason"].str.split("; ").str[0])

    assert_rejects(q2, first_reason, orders, orders_schema, mentions="lacks failed check")


def test_q2_rejects_the_whole_error_message_as_every_reason(orders, orders_schema):
    def whole_message(frame, schema):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            bad = frame.index.isin(errors.failure_cases["index"])
            return frame[~bad], frame[bad].assign(reason=str(errors))
        return frame, frame.iloc[:0].assign(reason=pd.Series(dtype=str))

    assert_rejects(q2, whole_message, orders, orders_schema, mentions="passed")


def test_q2_rejects_quarantining_a_wrong_column_type(orders, orders_schema):
    def everything(frame, schema):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            failures = errors.failure_cases
            if failures["index"].isna().any():
                return frame.iloc[:0], frame.assign(reason="column problem")
            reasons = failures.groupby("index")["check"].agg(
                lambda c: "; ".join(sorted(set(map(str, c)))))
            bad = frame.index.isin(reasons.index)
            return frame[~bad], frame[bad].assign(
                reason=reasons.reindex(frame.index[bad]).to_numpy())
        return frame, frame.iloc[:0].assign(reason=pd.Series(dtype=str))

    assert_rejects(q2, everything, orders, orders_schema, mentions="raise the `SchemaErrors`")


def test_q2_rejects_returning_one_frame(orders, orders_schema):
    assert_rejects(q2, lambda f, s: reference_quarantine(f, s)[0], orders, orders_schema,
                   mentions="tuple")


# -- q3 -----------------------------------------------------------------------------------
class DataQualityError(RuntimeError):
    pass


MAX_SHARE = 0.05


@pytest.fixture(scope="module")
def split(orders, orders_schema):
    return reference_quarantine(orders, orders_schema)


def gate(valid, quarantined, max_invalid_share):
    share = len(quarantined) / (len(valid) + len(quarantined))
    if share > max_invalid_share:
        raise DataQualityError(f"{share:.1%} invalid, threshold {max_invalid_share:.1%}")
    return valid


def test_q3_passes_on_the_reference(split):
    assert_passes(q3, gate, *split, MAX_SHARE, DataQualityError)
    assert_passes(q3, gate, *split, 0.1, DataQualityError)


def test_q3_pending(split):
    assert_pending(q3)
    assert_pending(q3, ..., *split, MAX_SHARE, DataQualityError)
    assert_pending(q3, lambda v, q, m: ..., *split, MAX_SHARE, DataQualityError)


def test_q3_rejects_a_gate_that_does_not_raise(split):
    def returns_false(valid, quarantined, max_invalid_share):
        share = len(quarantined) / (len(valid) + len(quarantined))
        return False if share > max_invalid_share else valid

    assert_rejects(q3, returns_false, *split, MAX_SHARE, DataQualityError,
                   mentions="did not raise")

    def prints(valid, quarantined, max_invalid_share):
        if len(quarantined) / (len(valid) + len(quarantined)) > max_invalid_share:
            print("warning: bad batch")
        return valid

    assert_rejects(q3, prints, *split, MAX_SHARE, DataQualityError, mentions="did not raise")


def test_q3_rejects_share_of_valid_rows_and_greater_or_equal(split):
    def over_valid(valid, quarantined, max_invalid_share):
        if len(quarantined) / len(valid) > max_invalid_share:
            raise DataQualityError("too many invalid rows in this batch")
        return valid

    assert_rejects(q3, over_valid, *split, MAX_SHARE, DataQualityError, mentions="ALL")

    def at_least(valid, quarantined, max_invalid_share):
        if len(quarantined) / (len(valid) + len(quarantined)) >= max_invalid_share:
            raise DataQualityError("too many invalid rows in this batch")
        return valid

    assert_rejects(q3, at_least, *split, MAX_SHARE, DataQualityError, mentions="strictly")


def test_q3_rejects_other_errors_and_empty_messages(split):
    def assertion(valid, quarantined, max_invalid_share):
        assert len(quarantined) / (len(valid) + len(quarantined)) <= max_invalid_share
        return valid

    assert_rejects(q3, assertion, *split, MAX_SHARE, DataQualityError,
                   mentions="DataQualityError")

    def silent(valid, quarantined, max_invalid_share):
        if len(quarantined) / (len(valid) + len(quarantined)) > max_invalid_share:
            raise DataQualityError()
        return valid

    assert_rejects(q3, silent, *split, MAX_SHARE, DataQualityError, mentions="message")

    def count(valid, quarantined, max_invalid_share):
        if len(quarantined) > max_invalid_share * 100:
            raise DataQualityError("too many invalid rows in this batch")
        return valid.copy().iloc[:10]

    assert_rejects(q3, count, *split, MAX_SHARE, DataQualityError, mentions="")

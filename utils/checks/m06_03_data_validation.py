"""Checks for 06_data_pipelines/03_data_validation: a pandera schema for the customers, lazy
validation with a quarantine that reconciles, and a quality gate that raises.

q1 receives the learner's schema and the typed customers; q2 the learner's ``quarantine``
function, the typed orders and the lesson's orders schema; q3 the learner's ``quality_gate``,
the lesson's valid and quarantined orders, the threshold and the exception class. Every probe
and reference is built from those inputs, so the checks hold for any ``SEED`` or ``QUICK``.
"""

from __future__ import annotations

import math

import pandas as pd

from ..check_helpers import call_learner, expect_frame, expect_function, quiet, type_name
from ..exercises import Exercise, attempted, expect, fail

NOTEBOOK = "06_data_pipelines/03_data_validation"

CUSTOMER_COLUMNS = ("customer_id", "email", "country", "signup_date", "segment")
SEGMENTS = ("consumer", "business")


def _errors(schema, frame: pd.DataFrame):
    """The failure cases of ``schema`` on ``frame`` (empty when it passes); a crash of the
    learner's schema becomes feedback."""
    from pandera.errors import SchemaError, SchemaErrors

    try:
        with quiet():
            schema.validate(frame.copy(), lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    except SchemaError as error:  # a schema-wide problem raised outside lazy collection
        return pd.DataFrame({"check": [str(error)], "index": [None]})
    except Exception as error:  # noqa: BLE001 (any crash of the learner's rules is feedback)
        fail(f"validating with your schema raised {type_name(error)}: {error}")
    return pd.DataFrame(columns=["check", "index"])


# -- q1: a schema for the customers ---------------------------------------------------------
def _reference_customers_schema(countries, period_start):
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "customer_id": pa.Column(str, pa.Check.str_matches(r"^C\d{4}$"), unique=True),
            "email": pa.Column(str, pa.Check.str_contains("@"), nullable=True),
            "country": pa.Column(str, pa.Check.isin(list(countries))),
            "signup_date": pa.Column(pd.api.types.pandas_dtype("datetime64[us]"),
                                     pa.Check.le(pd.Timestamp(period_start)), coerce=False),
            "segment": pa.Column(str, pa.Check.isin(list(SEGMENTS))),
        },
        strict=True,
    )


def _customer_probes(base: pd.DataFrame, period_start) -> list[tuple[pd.DataFrame, bool, str]]:
    """(frame, should pass, feedback if the learner's schema gets it wrong)."""
    def changed(column, value):
        frame = base.copy()
        values = frame[column].astype(object)
        values.iloc[0] = value
        frame[column] = values.astype(base[column].dtype)
        return frame

    late = pd.Timestamp(period_start) + pd.Timedelta(days=30)
    probes = [
        (changed("customer_id", base["customer_id"].iloc[1]), False,
         "two rows with the same `customer_id` passed: a key must be unique "
         "(`unique=True`)."),
        (changed("customer_id", "X12"), False,
         "a malformed `customer_id` ('X12') passed: check its pattern, C and four digits."),
        (changed("email", "no-at-sign.example.com"), False,
         "an email without '@' passed: add a check on `email`."),
        (changed("email", None), True,
         "a customer with a missing email was rejected, but email may be missing "
         "(`nullable=True`)."),
        (changed("country", "UK"), False,
         "the spelling variant 'UK' passed as a country: allow only the ISO codes in "
         "`COUNTRIES` (typing the column as text is not enough)."),
        (changed("country", None), False,
         "a customer without a country passed: country must never be missing."),
        (changed("signup_date", late), False,
         "a signup date after `PERIOD_START` passed: add a range check on `signup_date`."),
        (changed("segment", "vip"), False,
         "an unknown segment ('vip') passed: allow only 'consumer' and 'business'."),
        (base.assign(extra_column=1), False,
         "a frame with an extra column passed: forbid unexpected columns (`strict=True`)."),
        (base.assign(signup_date=base["signup_date"].dt.strftime("%Y-%m-%d")), False,
         "`signup_date` as text passed: give the column its date type."),
    ]
    return probes


def _check_q1(customers_schema, customers, countries, period_start) -> str:
    import pandera.pandas as pa

    schema = customers_schema
    if isinstance(schema, type) and issubclass(schema, pa.DataFrameModel):
        schema = schema.to_schema()
    if isinstance(schema, pa.Column):
        fail("`customers_schema` is a single `pa.Column`; put one column per key in a "
             "`pa.DataFrameSchema({...})`.")
    expect(isinstance(schema, pa.DataFrameSchema),
           f"`customers_schema` should be a `pa.DataFrameSchema`, not a {type_name(schema)}.")
    customers = expect_frame(customers, "customers")
    missing = [c for c in CUSTOMER_COLUMNS if c not in schema.columns]
    expect(not missing, f"your schema lacks the column(s) {', '.join(missing)}.")
    reference = _reference_customers_schema(countries, period_start)
    bad_rows = set(_errors(reference, customers)["index"].dropna())
    clean = customers.loc[~customers.index.isin(bad_rows)].drop_duplicates("customer_id")
    base = clean.iloc[:12].reset_index(drop=True)
    rejected = _errors(schema, clean)
    if len(rejected):
        first = rejected.iloc[0]
        fail(f"your schema rejects valid customers (column {first.get('column', '?')!r}, "
             f"check {str(first['check'])[:80]!r}): it is too strict, or a type does not match "
             "what `parse_customers` produced.")
    for frame, should_pass, feedback in _customer_probes(base, period_start):
        passed = len(_errors(schema, frame)) == 0
        expect(passed == should_pass, feedback)
    caught = _errors(schema, customers)
    n_bad = caught["index"].dropna().nunique()
    return f"{n_bad} of the {len(customers)} customers break a rule (country spellings, " \
           "missing countries)."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`pa.DataFrameSchema({name: pa.Column(type, checks, ...), ...}, strict=True)`: one "
        "`pa.Column` per column; `strict=True` forbids other columns.",
        "Keys: `unique=True`; patterns: `pa.Check.str_matches(regex)`; allowed values: "
        "`pa.Check.isin(list)`; a bound: `pa.Check.le(value)`; missing allowed: "
        "`nullable=True` (the default is False).",
        "`signup_date` has the type `parse_customers` gave it: `\"datetime64[us]\"`, "
        "checked with `pa.Check.le(pd.Timestamp(PERIOD_START))`; email: "
        "`pa.Check.str_contains(\"@\")`.",
    ],
)


# -- q2: quarantine with lazy validation ----------------------------------------------------
def _expect_pair(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    if isinstance(result, pd.DataFrame):
        fail("`quarantine` returned one DataFrame; return a tuple `(valid, quarantined)`.")
    expect(isinstance(result, tuple) and len(result) == 2,
           f"`quarantine` should return a tuple `(valid, quarantined)`, not a "
           f"{type_name(result)}.")
    valid = expect_frame(result[0], "valid")
    quarantined = expect_frame(result[1], "quarantined")
    return valid, quarantined


def _longer_name(name: str, checks: set[str]) -> tuple[str, str]:
    """A failed check whose name contains ``name``, to blank out before searching for it."""
    for check in checks:
        if name in check:
            return check, ""
    return "\0", ""


def _check_split(function, frame: pd.DataFrame, schema, what: str) -> tuple[int, int]:
    from pandera.errors import SchemaError

    failures = _errors(schema, frame)
    checks_by_row = failures.groupby("index")["check"].agg(lambda c: set(map(str, c)))
    try:
        eager_rows: set = set()
        with quiet():
            schema.validate(frame.copy())
    except SchemaError as error:
        eager_rows = set(getattr(error, "failure_cases", pd.DataFrame()).get("index", []))
    valid, quarantined = _expect_pair(call_learner(function, frame, schema,
                                                   call=f"quarantine({what}, orders_schema)"))
    expect("reason" in quarantined.columns,
           "`quarantined` has no `reason` column: say why each row was set aside.")
    expect(list(valid.columns) == list(frame.columns),
           "`valid` should have exactly the input's columns, in order.")
    expect(list(quarantined.columns) == [*frame.columns, "reason"],
           "`quarantined` should have the input's columns, in order, then `reason`.")
    if quarantined.index.duplicated().any():
        fail("a row appears in `quarantined` more than once: keep one row per input row, with "
             "all its failed checks in its `reason`, not one row per failure.")
    if len(valid) + len(quarantined) < len(frame):
        fail(f"valid + quarantined = {len(valid) + len(quarantined)}, but the input has "
             f"{len(frame)} rows: rows were dropped instead of quarantined.")
    expect(len(valid) + len(quarantined) == len(frame),
           f"valid + quarantined = {len(valid) + len(quarantined)}, but the input has "
           f"{len(frame)} rows: each input row belongs in exactly one of them, once.")
    expect(set(valid.index).isdisjoint(quarantined.index) and
           set(valid.index) | set(quarantined.index) == set(frame.index),
           "keep the input's index in both frames (no `reset_index`), each row in one of them.")
    bad = set(checks_by_row.index)
    if set(quarantined.index) == eager_rows and bad != eager_rows:
        fail("only the rows of the first failing rule were quarantined: validation stopped at "
             "the first error. Validate with `lazy=True` to collect every failure.")
    leaked = bad & set(valid.index)
    expect(not leaked, f"{len(leaked)} row(s) that break a rule are in `valid`: validate "
                       "lazily and quarantine every row listed in `failure_cases`.")
    wrongly = set(quarantined.index) - bad
    expect(not wrongly, f"{len(wrongly)} row(s) that pass every rule were quarantined.")
    expect(list(valid.index) == [i for i in frame.index if i in set(valid.index)] and
           list(quarantined.index) == [i for i in frame.index if i in bad],
           "keep the input's row order in `valid` and `quarantined`.")
    expect(valid.equals(frame.loc[valid.index]) and
           quarantined.drop(columns="reason").equals(frame.loc[quarantined.index]),
           "the rows' values changed: return the input rows as they are.")
    every_check = set().union(*checks_by_row) if len(checks_by_row) else set()
    for index, checks in checks_by_row.items():
        reason = quarantined.at[index, "reason"]
        expect(isinstance(reason, str) and reason.strip(),
               "every quarantined row needs a non-empty text `reason`.")
        missing = [c for c in checks if c not in reason]
        expect(not missing, f"the `reason` of a quarantined row lacks failed check(s) "
                            f"{', '.join(missing)}: name every check the row failed.")
        others = [c for c in every_check - checks
                  if c not in reason.replace(*_longer_name(c, checks))]
        expect(len(others) == len(every_check - checks),
               "a quarantined row's `reason` names checks that this row passed (the whole "
               "error message?): give each row the checks of its own failures.")
    return len(valid), len(quarantined)


def _check_q2(quarantine, orders, orders_schema) -> str:
    from pandera.errors import SchemaErrors

    function = expect_function(quarantine, "quarantine")
    orders = expect_frame(orders, "orders")
    n_valid, n_bad = _check_split(function, orders, orders_schema, "orders")
    # A clean frame: nothing to quarantine, an empty quarantine frame with its reason column.
    clean = orders.loc[~orders.index.isin(_errors(orders_schema, orders)["index"].dropna())]
    _check_split(function, clean.iloc[:50], orders_schema, "<orders without invalid rows>")
    # A column-level failure belongs to no row: the function must raise, not quarantine all.
    wrong_type = clean.iloc[:50].assign(amount=clean["amount"].iloc[:50].astype(str))
    try:
        result = function(wrong_type, orders_schema)
    except SchemaErrors:
        result = None
    except Exception as error:  # noqa: BLE001
        fail(f"on a frame whose `amount` column is text, `quarantine` raised "
             f"{type_name(error)}; raise the `SchemaErrors` again instead.")
    expect(result is None, "on a frame whose `amount` column is text (a failure that belongs "
                           "to no row), `quarantine` returned a result: raise the "
                           "`SchemaErrors` again.")
    return f"input {len(orders)} = valid {n_valid} + quarantined {n_bad}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Call `schema.validate(frame, lazy=True)` inside `try`; `except SchemaErrors as "
        "errors:` gives `errors.failure_cases`, one row per failing value with an `index`.",
        "Group `failure_cases` by `index` and join the `check` names into one string per "
        "row; `frame.index.isin(...)` then splits the rows in two. If any `index` is "
        "missing, `raise`.",
        "Return `frame[~bad], frame[bad].assign(reason=...)`; when validation passes, return "
        "`frame` and an empty frame with a `reason` column, e.g. "
        "`frame.iloc[:0].assign(reason=pd.Series(dtype=str))`.",
    ],
)


# -- q3: a quality gate that raises ---------------------------------------------------------
def _exact_split(share: float) -> tuple[int, int] | None:
    """(n_valid, n_bad) whose invalid share is exactly ``share`` as a float, if any is small."""
    for total in range(2, 2001):
        bad = round(share * total)
        if 0 < bad < total and bad / total == share:
            return total - bad, bad
    return None


def _check_q3(quality_gate, valid, quarantined, max_invalid_share, error_class) -> str:
    function = expect_function(quality_gate, "quality_gate")
    valid = expect_frame(valid, "valid")
    quarantined = expect_frame(quarantined, "quarantined")
    expect(0 < max_invalid_share < 1, "`max_invalid_share` should be a fraction between 0 and "
                                      "1.")
    expect(len(valid) >= 200 and len(quarantined) >= 1,
           "this check needs the lesson's `valid` and `quarantined` frames.")

    def run(n_valid: int, n_bad: int, label: str):
        good = valid.iloc[:n_valid]
        bad = pd.concat([quarantined] * (n_bad // len(quarantined) + 1)).iloc[:n_bad]
        try:
            result = function(good, bad, max_invalid_share)
        except error_class as error:
            return True, error, good
        except Exception as error:  # noqa: BLE001
            fail(f"on {label}, `quality_gate` raised {type_name(error)}; raise "
                 f"`{error_class.__name__}` so the pipeline can tell a bad batch from a bug.")
        return False, attempted(result), good

    # A bad batch: twice the allowed share must raise.
    total = 400
    n_bad = max(2, round(2 * max_invalid_share * total))
    raised, result, _ = run(total - n_bad, n_bad, "a batch well above the threshold")
    if not raised:
        if result is False or result is None:
            fail("on a batch well above the threshold, `quality_gate` did not raise (it "
                 "returned a value): a gate that returns False or prints lets the pipeline "
                 "carry on. Raise the error.")
        fail("on a batch well above the threshold, `quality_gate` did not raise.")
    expect(len(str(result)) > 10, "the error has no useful message: give the share and the "
                                  "threshold, so whoever is paged knows what failed.")
    # The lesson's batch: below the threshold, returned unchanged.
    share = len(quarantined) / (len(valid) + len(quarantined))
    if share <= max_invalid_share:
        raised, result, good = run(len(valid), len(quarantined), "the lesson's batch")
        expect(not raised, "the lesson's batch is within the threshold, yet `quality_gate` "
                           "raised.")
        expect(isinstance(result, pd.DataFrame) and result is good or
               (isinstance(result, pd.DataFrame) and result.equals(good)),
               "when the batch passes, return `valid` unchanged.")
    # Share of ALL rows, not of the valid rows: q/(v+q) < max < q/v must pass.
    total = 1000
    n_bad = math.ceil(max_invalid_share * total) - 1
    n_valid = total - n_bad
    if n_bad > 0 and n_bad / n_valid > max_invalid_share > n_bad / total \
            and n_valid <= len(valid):
        raised, _, _ = run(n_valid, n_bad, "a batch just within the threshold")
        expect(not raised, "a batch within the threshold raised: the invalid share is the "
                           "quarantined rows over ALL the batch's rows (valid + "
                           "quarantined), not over the valid rows.")
    # Exactly at the threshold is not worse than it.
    exact = _exact_split(max_invalid_share)
    if exact is not None and exact[0] <= len(valid):
        raised, _, _ = run(*exact, "a batch exactly at the threshold")
        expect(not raised, "a batch exactly at the threshold raised: only a share strictly "
                           "above it is worse than the threshold (`>`, not `>=`).")
    return f"the lesson's batch ({share:.1%} invalid) passes; worse batches stop the pipeline."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "The invalid share is `len(quarantined)` divided by the number of rows in the whole "
        "batch.",
        "`raise DataQualityError(f\"...\")` with the share and the threshold in the message; "
        "only a share strictly greater than the threshold is worse.",
        "`share = len(quarantined) / (len(valid) + len(quarantined))`; `if share > "
        "max_invalid_share: raise ...`; otherwise `return valid`.",
    ],
)

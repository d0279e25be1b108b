"""Checks for 08_deployment_serving/01_fastapi_endpoint: a pydantic request schema that rejects
malformed records, a client that gets batch predictions from the running server, and a load
test whose concurrency is bounded.

q1 receives the learner's pydantic class and validates a good record and one malformed record
per rule of the specification. q2 receives the learner's function, the server's URL, the rows
to score, the fitted pipeline and the batch limit; it calls the function through a recording
proxy (``check_helpers.recording_proxy``: which routes, how many requests) and compares the
answers with the pipeline's own probabilities. q3 receives the learner's function and calls
it with a stand-in ``send`` that sleeps a fixed time and counts how many calls are in flight
at once.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd

from ..check_helpers import (
    call_learner,
    expect_array,
    expect_batch_route,
    expect_function,
    recording_proxy,
    type_name,
)
from ..exercises import Exercise, attempted, expect, fail

NOTEBOOK = "08_deployment_serving/01_fastapi_endpoint"

FIELDS = ("region", "contract", "tenure_months", "monthly_charges", "support_calls")
GOOD = {"region": "north", "contract": "month-to-month", "tenure_months": 12,
        "monthly_charges": 70.5, "support_calls": 2}
TOLERANCE = 1e-9  # probabilities travel as JSON floats, which keep every digit


# -- q1: a request schema that rejects malformed records -----------------------------------
def _accepts(schema, record: dict) -> tuple[bool, object]:
    from pydantic import ValidationError

    try:
        return True, schema.model_validate(record)
    except ValidationError as error:
        return False, error


# (record, feedback when the schema accepts it)
_MUST_REJECT = [
    ({k: v for k, v in GOOD.items() if k != "contract"},
     "a record without `contract` was accepted: every field is required (no default values)."),
    ({k: v for k, v in GOOD.items() if k != "support_calls"},
     "a record without `support_calls` was accepted: every field is required (no default "
     "values)."),
    ({**GOOD, "customer_id": "C00042"},
     "a record with an unknown field (`customer_id`) was accepted: pydantic ignores extra "
     "fields by default, so a caller's typo or an extra feature goes unnoticed. Forbid extra "
     "fields in the model's configuration."),
    ({**GOOD, "tenure_months": "twelve"},
     "`tenure_months: 'twelve'` was accepted: declare the field as an integer."),
    ({**GOOD, "tenure_months": 12.5},
     "`tenure_months: 12.5` was accepted: months are whole numbers, so declare an int, not a "
     "float."),
    ({**GOOD, "tenure_months": -1},
     "a negative `tenure_months` was accepted: give the field a lower bound."),
    ({**GOOD, "tenure_months": 121},
     "`tenure_months: 121` was accepted: the specification's upper bound is 120 months."),
    ({**GOOD, "monthly_charges": 0},
     "`monthly_charges: 0` was accepted: a bill must be strictly positive, which is `gt`, "
     "not `ge`."),
    ({**GOOD, "monthly_charges": -20.0},
     "a negative `monthly_charges` was accepted: give the field a lower bound."),
    ({**GOOD, "monthly_charges": 1000.5},
     "`monthly_charges: 1000.5` was accepted: the specification's upper bound is 1000."),
    ({**GOOD, "support_calls": -1},
     "a negative `support_calls` was accepted: give the field a lower bound."),
    ({**GOOD, "support_calls": 101},
     "`support_calls: 101` was accepted: the specification's upper bound is 100."),
    ({**GOOD, "contract": "weekly"},
     "`contract: 'weekly'` was accepted: only the three contract types the model knows may "
     "pass (a `Literal`)."),
    ({**GOOD, "region": "mars"},
     "`region: 'mars'` was accepted: only the four regions the model knows may pass."),
]

# (record, feedback when the schema rejects it)
_MUST_ACCEPT = [
    ({**GOOD, "tenure_months": 0},
     "`tenure_months: 0` was rejected, but a customer who joined this month has 0 months: the "
     "bound is inclusive, which is `ge`, not `gt`."),
    ({**GOOD, "support_calls": 0},
     "`support_calls: 0` was rejected, but most customers never call: the bound is inclusive, "
     "which is `ge`, not `gt`."),
    ({**GOOD, "tenure_months": 120, "monthly_charges": 1000.0, "support_calls": 100},
     "a record at the upper bounds (120 months, 1000, 100 calls) was rejected: the upper "
     "bounds are inclusive (`le`)."),
]


def _check_q1(Customer) -> str:
    from pydantic import BaseModel

    if isinstance(Customer, BaseModel):
        fail("`Customer` is an instance (one validated record); define the class itself, "
             "`class Customer(BaseModel): ...`.")
    expect(isinstance(Customer, type) and issubclass(Customer, BaseModel),
           f"`Customer` should be a class that inherits from pydantic's `BaseModel`, not a "
           f"{type_name(Customer)}.")
    fields = set(Customer.model_fields)
    missing = [name for name in FIELDS if name not in fields]
    expect(not missing, f"`Customer` lacks the field(s) {', '.join(missing)}.")
    extra = sorted(fields - set(FIELDS))
    expect(not extra, f"`Customer` has field(s) the specification does not list: "
                      f"{', '.join(extra)}.")
    ok, result = _accepts(Customer, GOOD)
    expect(ok, f"a valid record was rejected: {result}")
    expect(result.model_dump() == GOOD,
           "a valid record comes out changed: `model_dump()` should give back the same values.")
    for record, feedback in _MUST_ACCEPT:
        ok, _ = _accepts(Customer, record)
        expect(ok, feedback)
    for record, feedback in _MUST_REJECT:
        ok, _ = _accepts(Customer, record)
        expect(not ok, feedback)
    ok, result = _accepts(Customer, {**GOOD, "region": "NORTH"})
    expect(ok, "`region: 'NORTH'` was rejected: the specification accepts any letter case (the "
               "raw data has upper-case regions). Lower-case the value before it is checked "
               "(a validator with mode='before').")
    expect(result.region == "north",
           "`region: 'NORTH'` was accepted but not lower-cased: the model was trained on "
           "lower-case regions and would not recognise it.")
    return f"{len(_MUST_REJECT)} malformed records rejected, {len(_MUST_ACCEPT) + 2} valid ones " \
           "accepted."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Start from `NaiveCustomer` and add, field by field, what the table asks: allowed "
        "values with `Literal[...]`, bounds with `Annotated[int, Field(...)]`, and "
        "`model_config = ConfigDict(extra=\"forbid\")`.",
        "`ge` is 'greater than or equal' (0 allowed), `gt` 'strictly greater' (0 refused); "
        "`le` is the inclusive upper bound. The region's letter case is fixed by a "
        "`@field_validator(\"region\", mode=\"before\")` class method that returns "
        "`value.lower()` for strings.",
        "`tenure_months: Annotated[int, Field(ge=0, le=120)]`, `monthly_charges: "
        "Annotated[float, Field(gt=0, le=1000)]`, `support_calls: Annotated[int, Field(ge=0, "
        "le=100)]`, `region: Literal[\"north\", \"south\", \"east\", \"west\"]`.",
    ],
)


# -- q2: batch predictions from the running server ------------------------------------------
def _check_q2(predict_over_http, url, frame, model, max_batch) -> str:
    function = expect_function(predict_over_http, "predict_over_http")
    expect(isinstance(url, str) and url.startswith("http"),
           "the second argument should be the server's URL, `server.url`.")
    if len(frame) <= max_batch:  # the check needs more rows than one request may carry
        frame = pd.concat([frame] * (max_batch // max(len(frame), 1) + 2))
    call = f"predict_over_http(server.url, <{len(frame)} rows>)"
    proxy, records = recording_proxy(url.rstrip("/"))  # counts the requests and their routes
    try:
        result = function(f"http://127.0.0.1:{proxy.server_address[1]}", frame)
    except Exception as error:  # the learner's code broke: feedback, never a traceback
        text = f"{type(error).__name__}: {error}"
        if "422" in text or "Unprocessable" in text or "records" in text:
            fail(f"`{call}` raised {text[:200]}. The server refused a request: it takes at "
                 f"most MAX_BATCH = {max_batch} records per batch, and the frame has "
                 f"{len(frame)} rows, so send it in slices.")
        fail(f"`{call}` raised {text[:300]}")
    finally:
        proxy.shutdown()
        proxy.server_close()
    result = attempted(result)
    n_requests = expect_batch_route(records)
    if isinstance(result, dict):
        fail("`predict_over_http` returned a dict (the server's whole answer?); return the "
             "churn probabilities, one per row, as a NumPy array.")
    if isinstance(result, list) and result and isinstance(result[0], dict):
        fail("`predict_over_http` returned the server's prediction dicts; take the "
             "`churn_probability` out of each, as a NumPy array.")
    result = expect_array(result, "predict_over_http(...)")
    expect(result.shape == (len(frame),),
           f"`predict_over_http` returned shape {result.shape}, but the frame has "
           f"{len(frame)} rows: one probability per row, every batch's answers joined. "
           + (f"(Only {len(result)}: were the last rows left out when slicing?)"
              if 0 < len(result) < len(frame) else ""))
    if result.dtype == bool:
        fail("these are the 0/1 decisions (`churn`), not the probabilities: return "
             "`churn_probability`.")
    expect(np.issubdtype(result.dtype, np.floating),
           f"the probabilities should be floats, but the array's dtype is {result.dtype}.")
    reference = model.predict_proba(frame)[:, 1]
    if np.allclose(result, reference, rtol=0, atol=TOLERANCE):
        served = float(np.mean(reference >= 0.5))
        return (f"{len(frame)} rows in {n_requests} requests, the same "
                f"probabilities as the pipeline in the notebook ({served:.1%} flagged).")
    if np.allclose(result, 1 - reference, rtol=0, atol=TOLERANCE):
        fail("these are the probabilities of staying: the server returns the probability of "
             "churn.")
    if np.allclose(np.sort(result), np.sort(reference), rtol=0, atol=TOLERANCE):
        fail("the right probabilities, in the wrong order: keep the rows' order (the server "
             "answers a batch in the order of its records).")
    if set(np.unique(result)) <= {0.0, 1.0}:
        fail("these are the 0/1 decisions (`churn`), not the probabilities: return "
             "`churn_probability`.")
    fail("the probabilities differ from the pipeline's for the same rows: send each row's five "
         "fields unchanged (`frame.to_dict(orient=\"records\")`) and keep the answers in order.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "The frame has more rows than one batch request may hold: loop over slices "
        "`frame.iloc[start:start + MAX_BATCH]` with `start` in `range(0, len(frame), "
        "MAX_BATCH)`.",
        "Each slice becomes `{\"records\": part.to_dict(orient=\"records\")}`, posted with "
        "`httpx.post(url + \"/predict/batch\", json=..., timeout=30)`; call "
        "`raise_for_status()` so a refusal is not mistaken for an answer.",
        "From each answer take `[p[\"churn_probability\"] for p in response.json()"
        "[\"predictions\"]]`, extend one list, and return `np.array(that_list)`.",
    ],
)


# -- q3: a load test with bounded concurrency -----------------------------------------------
SLEEP_S = 0.02       # how long the stand-in request takes
CHECK_REQUESTS = 40  # requests the check asks for
CHECK_CONCURRENCY = 4


class _StandIn:
    """A fake request: sleeps SLEEP_S and records how many calls overlap."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0
        self.in_flight = 0
        self.most_in_flight = 0

    def __call__(self) -> int:
        with self.lock:
            self.calls += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(SLEEP_S)
        with self.lock:
            self.in_flight -= 1
        return 200


def _check_q3(run_load_test) -> str:
    function = expect_function(run_load_test, "run_load_test")
    send = _StandIn()
    call = f"run_load_test(send, {CHECK_REQUESTS}, {CHECK_CONCURRENCY})"
    result = call_learner(function, send, CHECK_REQUESTS, CHECK_CONCURRENCY, call=call)
    if isinstance(result, int | float | np.floating):
        fail("`run_load_test` returned one number; return one latency per request (a list or "
             "an array), so that percentiles can be computed from them.")
    expect(isinstance(result, list | tuple | np.ndarray),
           f"`run_load_test` should return the latencies as a list or an array, not a "
           f"{type_name(result)}.")
    latencies = np.asarray(result, dtype=float)
    expect(send.calls == CHECK_REQUESTS,
           f"`{call}` called `send` {send.calls} times instead of {CHECK_REQUESTS}: each "
           "request once.")
    expect(latencies.shape == (CHECK_REQUESTS,),
           f"`{call}` returned {latencies.size} latencies; return one per request.")
    if send.most_in_flight > CHECK_CONCURRENCY:
        fail(f"up to {send.most_in_flight} requests were in flight at once, more than "
             f"`concurrency` = {CHECK_CONCURRENCY}: the load is unbounded (a thread per "
             "request?). Use a pool with `max_workers=concurrency`.")
    if send.most_in_flight == 1:
        fail("the requests ran one after another: a load test sends `concurrency` requests "
             "at once (a thread pool with `max_workers=concurrency`).")
    if np.median(latencies) > 100 * SLEEP_S:
        fail("the latencies look like milliseconds; return them in seconds "
             "(`time.perf_counter()` differences, unscaled).")
    expect(np.all(latencies >= 0.8 * SLEEP_S),
           "some latencies are shorter than the request itself took: time each call of "
           "`send()` on its own, from just before it to just after it.")
    if np.median(latencies) > 4 * SLEEP_S:
        fail("the latencies are much longer than the requests took: they include the time a "
             "request waited for a free worker (timed from submission?). Time the call of "
             "`send()` itself, inside the worker.")
    return (f"{CHECK_REQUESTS} requests, at most {send.most_in_flight} in flight at once, "
            "one latency each.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`concurrent.futures.ThreadPoolExecutor(max_workers=concurrency)` never runs more "
        "than `concurrency` calls at once: that is the bound.",
        "Write a small function `timed()` that takes `time.perf_counter()`, calls `send()`, "
        "and returns the difference; submit it `n_requests` times (`pool.map`, or `submit` in "
        "a loop).",
        "`with ThreadPoolExecutor(max_workers=concurrency) as pool: return list(pool.map("
        "lambda _: timed(), range(n_requests)))`.",
    ],
)

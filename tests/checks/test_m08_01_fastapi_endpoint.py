"""The checks of 08_deployment_serving/01_fastapi_endpoint: right, wrong and not attempted.

q2 needs the real service: the app the solution notebook writes is started under uvicorn once
for this module, with a pipeline fitted here."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Literal

import httpx
import joblib
import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from tests.serving import churn_features, churn_pipeline, write_app
from utils.checks.m08_01_fastapi_endpoint import q1, q2, q3
from utils.exercises import PASSED
from utils.servers import python_command, start_server

NOTEBOOK = "08_deployment_serving/01_fastapi_endpoint"
MAX_BATCH = 40


# -- q1 -----------------------------------------------------------------------------------
def _lower_case_region(cls, value):
    return value.strip().lower() if isinstance(value, str) else value


def _schema(extra="forbid", tenure=None, charges=None, calls=None, lower=True,
            region=Literal["north", "south", "east", "west"],
            contract=Literal["month-to-month", "one-year", "two-year"],
            optional_contract=False):
    """A Customer schema like the reference, with one thing changed."""
    validators = {}
    if lower:
        validators["lower"] = field_validator("region", mode="before")(
            classmethod(_lower_case_region))
    return create_model(
        "Customer", __config__=ConfigDict(extra=extra), __validators__=validators,
        region=(region, ...),
        contract=(contract | None, None) if optional_contract else (contract, ...),
        tenure_months=(Annotated[int, tenure or Field(ge=0, le=120)], ...),
        monthly_charges=(Annotated[float, charges or Field(gt=0, le=1000)], ...),
        support_calls=(Annotated[int, calls or Field(ge=0, le=100)], ...),
    )


def _reference():
    class Customer(BaseModel):
        model_config = ConfigDict(extra="forbid")

        region: Literal["north", "south", "east", "west"]
        contract: Literal["month-to-month", "one-year", "two-year"]
        tenure_months: Annotated[int, Field(ge=0, le=120)]
        monthly_charges: Annotated[float, Field(gt=0, le=1000)]
        support_calls: Annotated[int, Field(ge=0, le=100)]

        @field_validator("region", mode="before")
        @classmethod
        def lower_case_region(cls, value):
            return value.lower() if isinstance(value, str) else value

    return Customer


def test_q1_passes_on_the_reference_schema():
    assert_passes(q1, _reference())


def test_q1_pending():
    assert_pending(q1)


def test_q1_rejects_an_instance_or_another_type():
    Customer = _reference()
    record = Customer(region="north", contract="one-year", tenure_months=3,
                      monthly_charges=20.0, support_calls=0)
    assert_rejects(q1, record, mentions="instance")
    assert_rejects(q1, dict, mentions="BaseModel")


def test_q1_rejects_extra_fields_ignored():
    assert_rejects(q1, _schema(extra="ignore"), mentions="extra fields")


def test_q1_rejects_ge_and_gt_confused():
    assert_rejects(q1, _schema(tenure=Field(gt=0, le=120)), mentions="`ge`, not `gt`")
    assert_rejects(q1, _schema(charges=Field(ge=0, le=1000)), mentions="`gt`, not `ge`")
    assert_rejects(q1, _schema(calls=Field(gt=0, le=100)), mentions="`ge`, not `gt`")


def test_q1_rejects_missing_bounds_and_exclusive_upper_bounds():
    assert_rejects(q1, _schema(tenure=Field(ge=0)), mentions="upper bound")
    assert_rejects(q1, _schema(tenure=Field(le=120)), mentions="lower bound")
    assert_rejects(q1, _schema(tenure=Field(ge=0, lt=120)), mentions="inclusive")


def test_q1_rejects_free_text_and_case_sensitive_region():
    assert_rejects(q1, _schema(contract=str), mentions="Literal")
    assert_rejects(q1, _schema(region=str), mentions="four regions")
    assert_rejects(q1, _schema(lower=False), mentions="letter case")


def test_q1_rejects_optional_field_and_float_tenure():
    assert_rejects(q1, _schema(optional_contract=True), mentions="required")

    class FloatTenure(_reference()):
        tenure_months: Annotated[float, Field(ge=0, le=120)]

    assert_rejects(q1, FloatTenure, mentions="whole numbers")


def test_q1_rejects_a_wrong_field_set():
    class Renamed(BaseModel):
        model_config = ConfigDict(extra="forbid")
        region: str
        contract: str
        tenure: int
        monthly_charges: float
        support_calls: int

    assert_rejects(q1, Renamed, mentions="tenure_months")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serving")
    X, y = churn_features()
    model = churn_pipeline(X.iloc[:1200], y.iloc[:1200])
    joblib.dump(model, folder / "churn_model.joblib")
    write_app(NOTEBOOK, folder, "churn_app")
    server = start_server(
        python_command("-m", "uvicorn", "churn_app:app", "--host", "127.0.0.1", "--port",
                       "{port}"),
        cwd=folder, name="m08-01-check-tests",
        env={"CHURN_MODEL_PATH": str(folder / "churn_model.joblib"), "MODEL_VERSION": "t",
             "MAX_BATCH": str(MAX_BATCH)})
    try:
        yield server.url, X.iloc[1200:1300], model
    finally:
        server.stop()


def _client(slices=True, last=True, field="churn_probability", order=1, as_array=True,
            whole_answer=False):
    def predict_over_http(url, frame):
        size = MAX_BATCH if slices else len(frame)
        stop = len(frame) if last else len(frame) // size * size
        values = []
        for start in range(0, stop, size):
            part = frame.iloc[start:start + size]
            answer = httpx.post(url + "/predict/batch",
                                json={"records": part.to_dict(orient="records")}, timeout=30)
            answer.raise_for_status()
            if whole_answer:
                return answer.json()
            values += [p[field] for p in answer.json()["predictions"]]
        values = values[::order]
        return np.array(values) if as_array else values

    return predict_over_http


def test_q2_passes_on_sliced_batches(service):
    url, frame, model = service
    assert_passes(q2, _client(), url, frame, model, MAX_BATCH)


def test_q2_pending(service):
    url, frame, model = service
    assert_pending(q2)
    assert_pending(q2, lambda url, frame: ..., url, frame, model, MAX_BATCH)


def test_q2_rejects_one_oversized_request(service):
    url, frame, model = service
    assert_rejects(q2, _client(slices=False), url, frame, model, MAX_BATCH,
                   mentions="MAX_BATCH")


def test_q2_rejects_a_dropped_last_slice(service):
    url, frame, model = service
    assert_rejects(q2, _client(last=False), url, frame, model, MAX_BATCH,
                   mentions="last rows")


def test_q2_rejects_decisions_lists_answers_and_order(service):
    url, frame, model = service
    assert_rejects(q2, _client(field="churn"), url, frame, model, MAX_BATCH,
                   mentions="decisions")
    assert_rejects(q2, _client(as_array=False), url, frame, model, MAX_BATCH,
                   mentions="NumPy")
    assert_rejects(q2, _client(whole_answer=True), url, frame, model, MAX_BATCH,
                   mentions="whole answer")
    assert_rejects(q2, _client(order=-1), url, frame, model, MAX_BATCH, mentions="order")


def test_q2_rejects_a_call_per_row_of_the_wrong_endpoint(service):
    url, frame, model = service

    def predict_over_http(url, frame):  # posts the rows as lists: the server refuses them
        answer = httpx.post(url + "/predict/batch",
                            json={"records": frame.head(5).values.tolist()}, timeout=30)
        answer.raise_for_status()
        return np.array([p["churn_probability"] for p in answer.json()["predictions"]])

    assert_rejects(q2, predict_over_http, url, frame, model, MAX_BATCH, mentions="raised")
    assert_rejects(q2, _client()(url, frame), url, frame, model, MAX_BATCH,
                   mentions="function itself")


def test_q2_counts_the_requests_it_saw(service):
    url, frame, model = service

    def small_slices(url, frame):  # slices of 10 (allowed), after a health probe (allowed)
        httpx.get(url + "/health", timeout=30).raise_for_status()
        values = []
        for start in range(0, len(frame), 10):
            part = frame.iloc[start:start + 10]
            answer = httpx.post(url + "/predict/batch",
                                json={"records": part.to_dict(orient="records")}, timeout=30)
            answer.raise_for_status()
            values += [p["churn_probability"] for p in answer.json()["predictions"]]
        return np.array(values)

    status, message = q2.verdict(small_slices, url, frame, model, MAX_BATCH)
    assert status == PASSED, message
    assert f"{len(frame)} rows in {len(frame) // 10} requests" in message, message
    status, message = q2.verdict(_client(), url, frame, model, MAX_BATCH)
    assert f"in {-(-len(frame) // MAX_BATCH)} requests" in message, message


def test_q2_rejects_one_request_per_customer(service):
    url, frame, model = service

    def singles(url, frame):
        return np.array([httpx.post(url + "/predict", json=record, timeout=30).json()
                         ["churn_probability"] for record in frame.to_dict(orient="records")])

    assert_rejects(q2, singles, url, frame, model, MAX_BATCH, mentions="one per customer")


def test_q2_rejects_other_routes_and_a_url_it_did_not_use(service):
    url, frame, model = service
    right = _client()

    def with_docs(url, frame):
        httpx.get(url + "/openapi.json", timeout=30).raise_for_status()
        return right(url, frame)

    assert_rejects(q2, with_docs, url, frame, model, MAX_BATCH, mentions="exactly that path")
    assert_rejects(q2, lambda _, frame: right(url, frame), url, frame, model, MAX_BATCH,
                   mentions="URL it was given")


# -- q3 -----------------------------------------------------------------------------------
def _timed(send):
    start = time.perf_counter()
    send()
    return time.perf_counter() - start


def reference_load_test(send, n_requests, concurrency):
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda _: _timed(send), range(n_requests)))


def test_q3_passes_on_a_bounded_pool():
    assert_passes(q3, reference_load_test)


def test_q3_pending():
    assert_pending(q3)
    assert_pending(q3, lambda send, n_requests, concurrency: ...)


def test_q3_rejects_a_thread_per_request():
    def run_load_test(send, n_requests, concurrency):
        latencies = []
        threads = [threading.Thread(target=lambda: latencies.append(_timed(send)))
                   for _ in range(n_requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies

    assert_rejects(q3, run_load_test, mentions="unbounded")


def test_q3_rejects_sequential_requests_and_a_mean():
    assert_rejects(q3, lambda send, n, c: [_timed(send) for _ in range(n)], mentions="one after")
    assert_rejects(q3, lambda send, n, c: float(np.mean(reference_load_test(send, n, c))),
                   mentions="one number")


def test_q3_rejects_milliseconds_and_time_in_the_queue():
    assert_rejects(q3, lambda send, n, c: [1000 * t for t in reference_load_test(send, n, c)],
                   mentions="milliseconds")

    def from_submission(send, n_requests, concurrency):
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            submitted = time.perf_counter()
            futures = [pool.submit(send) for _ in range(n_requests)]
            ends = []
            for future in futures:
                future.result()
                ends.append(time.perf_counter())
        return [end - submitted for end in ends]

    assert_rejects(q3, from_submission, mentions="waited")


def test_q3_rejects_too_few_requests():
    assert_rejects(q3, lambda send, n, c: reference_load_test(send, n - 1, c),
                   mentions="each request once")

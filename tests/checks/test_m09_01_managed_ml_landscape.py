"""The checks of 09_cloud_ml/01_managed_ml_landscape: right, wrong and not attempted."""

from __future__ import annotations

import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m09_01_managed_ml_landscape import q1, q2, q3, q4

CAPABILITIES = ["data storage", "training jobs", "experiment tracking", "model registry",
                "real-time endpoints", "serverless endpoints", "asynchronous inference",
                "batch inference", "monitoring"]
LOCAL_WORK = {
    "tracked_run": "a run logged with mlflow.start_run(): parameters, metrics, the model",
    "champion_alias": "the @champion alias that points at the version in use",
    "fastapi_app": "the uvicorn process answering POST /predict for one customer at a time",
    "nightly_scoring": "a job that scores every customer in last night's file by 6 a.m.",
    "data_checks": "pandera checks that watch each new batch for drift or broken expectations",
    "fit_script": "the script that fits the pipeline on the training table and saves it",
}
RIGHT_MAPPING = {
    "tracked_run": "experiment tracking",
    "champion_alias": "model registry",
    "fastapi_app": "real-time endpoints",
    "nightly_scoring": "batch inference",
    "data_checks": "monitoring",
    "fit_script": "training jobs",
}
ASSUMPTIONS = {"instance_price_per_hour": 0.115, "instances": 2, "hours_per_month": 730,
               "serverless_price_per_second": 0.00004, "ms_per_request": 100}
CHOICES = {
    "onnx_file": "export the model to ONNX and serve it with ONNX Runtime",
    "mlflow_models": "log runs and models with MLflow and load them by alias",
    "own_container": "serve from a container image built with your own FastAPI app",
    "provider_sdk_training": "launch training with one provider's SDK estimator classes",
    "managed_monitoring": "schedule drift reports in the provider's monitoring service",
    "managed_feature_store": "keep the features in the provider's managed feature store",
    "endpoint_client": "let client apps call the provider's endpoint API with its credentials",
}


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_the_mapping():
    assert_passes(q1, dict(RIGHT_MAPPING), LOCAL_WORK, CAPABILITIES)


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, ..., LOCAL_WORK, CAPABILITIES)
    assert_pending(q1, dict(RIGHT_MAPPING, fit_script=...), LOCAL_WORK, CAPABILITIES)


@pytest.mark.parametrize(("key", "wrong", "mentions"), [
    ("tracked_run", "model registry", "records how a model was made"),
    ("champion_alias", "experiment tracking", "registry's job"),
    ("fastapi_app", "serverless endpoints", "stays up between requests"),
    ("nightly_scoring", "real-time endpoints", "nobody waits"),
    ("data_checks", "data storage", "do not keep data"),
    ("fit_script", "experiment tracking", "only records"),
])
def test_q1_rejects_the_classic_confusions(key, wrong, mentions):
    assert_rejects(q1, dict(RIGHT_MAPPING, **{key: wrong}), LOCAL_WORK, CAPABILITIES,
                   mentions=mentions)


def test_q1_rejects_swapped_pair_and_other_errors():
    swapped = dict(RIGHT_MAPPING, data_checks="training jobs", fit_script="monitoring")
    assert_rejects(q1, swapped, LOCAL_WORK, CAPABILITIES, mentions="2 of the 6",
                   must_not_mention=("'monitoring'",))
    assert_rejects(q1, dict(RIGHT_MAPPING, fastapi_app="Real-time endpoints"), LOCAL_WORK,
                   CAPABILITIES, mentions="spelling and case")
    assert_rejects(q1, dict(RIGHT_MAPPING, fastapi_app="FastAPI"), LOCAL_WORK, CAPABILITIES,
                   mentions="not one of `CAPABILITIES`")
    partial = {k: v for k, v in RIGHT_MAPPING.items() if k != "data_checks"}
    assert_rejects(q1, partial, LOCAL_WORK, CAPABILITIES, mentions="'data_checks'")
    by_description = {LOCAL_WORK[k]: v for k, v in RIGHT_MAPPING.items()}
    assert_rejects(q1, by_description, LOCAL_WORK, CAPABILITIES, mentions="keys of `LOCAL_WORK`")
    assert_rejects(q1, list(RIGHT_MAPPING.values()), LOCAL_WORK, CAPABILITIES,
                   mentions="should be a dict")


# -- q2 -----------------------------------------------------------------------------------
def right_costs(requests_per_month, a):
    always_on = a["instance_price_per_hour"] * a["instances"] * a["hours_per_month"]
    return {"always_on": always_on,
            "serverless": requests_per_month * a["ms_per_request"] / 1000
            * a["serverless_price_per_second"]}


def test_q2_passes_on_the_cost_function():
    assert_passes(q2, right_costs, ASSUMPTIONS)


def test_q2_pending():
    assert_pending(q2)
    assert_pending(q2, ..., ASSUMPTIONS)
    assert_pending(q2, lambda requests, a: ..., ASSUMPTIONS)
    assert_pending(q2, lambda requests, a: {"always_on": ..., "serverless": 0.0}, ASSUMPTIONS)


def test_q2_rejects_forgetting_idle_time():
    def busy_only(requests, a):
        busy_hours = requests * a["ms_per_request"] / 1000 / 3600
        return {"always_on": a["instance_price_per_hour"] * a["instances"] * busy_hours,
                "serverless": right_costs(requests, a)["serverless"]}

    assert_rejects(q2, busy_only, ASSUMPTIONS, mentions="idle time")


def test_q2_rejects_hours_and_seconds_mixed_up():
    def per_second(requests, a):
        return dict(right_costs(requests, a),
                    always_on=right_costs(requests, a)["always_on"] * 3600)

    def per_hour_serverless(requests, a):
        return dict(right_costs(requests, a),
                    serverless=right_costs(requests, a)["serverless"] * 3600)

    assert_rejects(q2, per_second, ASSUMPTIONS, mentions="hours and seconds")
    assert_rejects(q2, per_hour_serverless, ASSUMPTIONS, mentions="hours and seconds")


def test_q2_rejects_milliseconds_instances_and_globals():
    def ms_as_seconds(requests, a):
        return dict(right_costs(requests, a),
                    serverless=right_costs(requests, a)["serverless"] * 1000)

    def one_instance(requests, a):
        return dict(right_costs(requests, a), always_on=right_costs(requests, a)["always_on"]
                    / a["instances"])

    def from_globals(requests, a):
        return right_costs(requests, ASSUMPTIONS)

    def month_of_720_hours(requests, a):
        return dict(right_costs(requests, a), always_on=a["instance_price_per_hour"]
                    * a["instances"] * 720)

    assert_rejects(q2, ms_as_seconds, ASSUMPTIONS, mentions="milliseconds")
    assert_rejects(q2, one_instance, ASSUMPTIONS, mentions="one instance")
    assert_rejects(q2, from_globals, ASSUMPTIONS, mentions="ignores the prices")
    assert_rejects(q2, month_of_720_hours, ASSUMPTIONS, mentions="hours_per_month")


def test_q2_accepts_costs_rounded_to_cents():
    def in_cents(requests, a):
        return {key: round(value, 2) for key, value in right_costs(requests, a).items()}

    assert_passes(q2, in_cents, ASSUMPTIONS)


def test_q2_rejects_wrong_shapes_and_crashes():
    assert_rejects(q2, right_costs(1000, ASSUMPTIONS), ASSUMPTIONS,
                   mentions="pass the function itself")
    assert_rejects(q2, lambda r, a: (1.0, 2.0), ASSUMPTIONS, mentions="return a dict")
    assert_rejects(q2, lambda r, a: {"always on": 1.0, "serverless": 2.0}, ASSUMPTIONS,
                   mentions="'always_on'")
    assert_rejects(q2, lambda r, a: {"always_on": a["price"], "serverless": 0}, ASSUMPTIONS,
                   mentions="raised KeyError")
    assert_rejects(q2, lambda r, a: dict(right_costs(r, a), serverless=1.0), ASSUMPTIONS,
                   mentions="bills nothing")


# -- q3 -----------------------------------------------------------------------------------
FLAT = 0.115 * 2 * 730
PER_REQUEST = 100 / 1000 * 0.00004
BREAK_EVEN = FLAT / PER_REQUEST


def test_q3_passes_on_the_break_even():
    assert_passes(q3, BREAK_EVEN, ASSUMPTIONS)
    assert_passes(q3, int(round(BREAK_EVEN)), ASSUMPTIONS)


def test_q3_pending():
    assert_pending(q3)
    assert_pending(q3, ..., ASSUMPTIONS)


def test_q3_rejects_wrong_units_grid_and_instances():
    assert_rejects(q3, BREAK_EVEN / (730 * 3600), ASSUMPTIONS, mentions="per second",
                   must_not_mention=(f"{BREAK_EVEN:,.0f}", f"{BREAK_EVEN:.0f}"))
    assert_rejects(q3, BREAK_EVEN / (730 / 24), ASSUMPTIONS, mentions="per day")
    assert_rejects(q3, BREAK_EVEN / 1000, ASSUMPTIONS, mentions="milliseconds")
    assert_rejects(q3, BREAK_EVEN / 2, ASSUMPTIONS, mentions="ONE instance")
    assert_rejects(q3, 42_169_650.0, ASSUMPTIONS, mentions="grid")
    assert_rejects(q3, 42e6, ASSUMPTIONS, mentions="rounded")
    assert_rejects(q3, 1e6, ASSUMPTIONS, mentions="does not match")
    assert_rejects(q3, [BREAK_EVEN], ASSUMPTIONS, mentions="single number")


# -- q4 -----------------------------------------------------------------------------------
PORTABLE = {"onnx_file", "mlflow_models", "own_container"}


def test_q4_passes_on_the_portable_choices():
    assert_passes(q4, set(PORTABLE), CHOICES)
    assert_passes(q4, frozenset(PORTABLE), CHOICES)
    assert_passes(q4, sorted(PORTABLE), CHOICES)


def test_q4_pending():
    assert_pending(q4)
    assert_pending(q4, ..., CHOICES)


def test_q4_rejects_provider_services_and_a_locked_container():
    assert_rejects(q4, PORTABLE | {"managed_monitoring"}, CHOICES, mentions="one provider's")
    assert_rejects(q4, PORTABLE | {"endpoint_client", "provider_sdk_training"}, CHOICES,
                   mentions="2 of your choices")
    assert_rejects(q4, PORTABLE - {"own_container"}, CHOICES, mentions="container image")
    assert_rejects(q4, {"own_container", "onnx_file"}, CHOICES, mentions="open format")
    assert_rejects(q4, set(CHOICES), CHOICES, mentions="one provider's")


def test_q4_rejects_wrong_types_and_keys():
    assert_rejects(q4, dict.fromkeys(PORTABLE, True), CHOICES, mentions="is a dict")
    assert_rejects(q4, "onnx_file", CHOICES, mentions="one string")
    assert_rejects(q4, 3, CHOICES, mentions="should be a set")
    assert_rejects(q4, set(), CHOICES, mentions="is empty")
    assert_rejects(q4, {CHOICES[k] for k in PORTABLE}, CHOICES, mentions="keys of `CHOICES`")
    assert_rejects(q4, PORTABLE | {"docker"}, CHOICES, mentions="not a key")

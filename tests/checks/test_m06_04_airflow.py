"""The checks of 06_data_pipelines/04_airflow: right, wrong and not attempted.

q1 builds DAGs in this process (Airflow's SDK, no database); q2 runs on a small SQLite file
with Airflow's ``xcom`` columns; q3 on a Parquet partition written here.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import workspace
from utils.checks.m06_04_airflow import q1, q2, q3

os.environ.setdefault("AIRFLOW_HOME", str(workspace("m06_airflow_tests")))
from airflow.sdk import Param, dag, task  # noqa: E402 (after AIRFLOW_HOME is set)

START = datetime(2026, 10, 1, tzinfo=UTC)
ARGS = {"retries": 3, "retry_delay": timedelta(minutes=10)}
PARAMS = {"min_orders": Param(100, type="integer")}


def make_factory(**changes):
    settings = {"dag_id": "shop_weekly_report", "schedule": "0 7 * * 1", "start_date": START,
                "catchup": False, "default_args": ARGS, "params": PARAMS}
    settings.update(changes)
    settings = {key: value for key, value in settings.items() if value is not None}
    wired = changes.pop("_wired", True)
    settings.pop("_wired", None)

    @dag(**settings)
    def weekly_report():
        @task
        def count_orders() -> int:
            return 0

        @task
        def publish(n_orders: int) -> None:
            print(n_orders)

        if wired:
            publish(count_orders())
        else:
            count_orders()
            publish(0)

    return weekly_report


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_the_reference():
    assert_passes(q1, make_factory())
    assert_passes(q1, make_factory(schedule="0 7 * * MON"))


def test_q1_pending():
    assert_pending(q1)


def test_q1_rejects_catchup_and_retries_left_to_the_defaults():
    assert_rejects(q1, make_factory(catchup=None), mentions="catchup=False")
    assert_rejects(q1, make_factory(catchup=True), mentions="catchup")
    assert_rejects(q1, make_factory(default_args={"retry_delay": timedelta(minutes=10)}),
                   mentions="no retries")
    assert_rejects(q1, make_factory(default_args={"retries": 1,
                                                  "retry_delay": timedelta(minutes=10)}),
                   mentions="3")


def test_q1_rejects_wrong_schedule_start_id_and_delay():
    assert_rejects(q1, make_factory(schedule="@daily"), mentions="Mondays at 07:00")
    assert_rejects(q1, make_factory(schedule="@weekly"), mentions="midnight on Sunday")
    assert_rejects(q1, make_factory(schedule="0 7 * * 0"), mentions="Mondays at 07:00")
    assert_rejects(q1, make_factory(schedule=timedelta(days=7)), mentions="cron")
    london = datetime(2026, 10, 1, tzinfo=ZoneInfo("Europe/London"))
    assert_rejects(q1, make_factory(start_date=london), mentions="time zone")
    assert_rejects(q1, make_factory(start_date=datetime(2026, 1, 1, tzinfo=UTC)),
                   mentions="start date")
    assert_rejects(q1, make_factory(dag_id="weekly"), mentions="id")
    assert_rejects(q1, make_factory(default_args={"retries": 3}), mentions="10 minutes")


def test_q1_rejects_missing_or_untyped_parameter_and_unwired_tasks():
    assert_rejects(q1, make_factory(params={}), mentions="min_orders")
    assert_rejects(q1, make_factory(params={"min_orders": 100}), mentions="integer")
    assert_rejects(q1, make_factory(_wired=False), mentions="after `count_orders`")


def test_q1_rejects_the_built_dag_and_an_undecorated_function():
    assert_rejects(q1, make_factory()(), mentions="not the DAG")

    def plain():
        return None

    assert_rejects(q1, plain, mentions="@dag")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("airflow") / "airflow.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE xcom (dag_run_id INTEGER, task_id TEXT, map_index INTEGER, "
                    "key TEXT, dag_id TEXT, run_id TEXT, value JSON, timestamp TEXT)")
        rows = [("extract", "return_value", "shop_daily_orders", json.dumps("staging/x.parquet")),
                ("validate", "return_value", "shop_daily_orders",
                 json.dumps({"valid": "v.parquet", "n_valid": 166, "n_quarantined": 0})),
                ("load", "return_value", "shop_daily_orders", 166),
                ("load", "note", "shop_daily_orders", json.dumps("not a return value")),
                ("other", "return_value", "another_dag", json.dumps([1, 2]))]
        con.executemany("INSERT INTO xcom (task_id, key, dag_id, value) VALUES (?, ?, ?, ?)",
                        rows)
    return path


def reference_xcoms(db, dag_id):
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT task_id, json(value) FROM xcom "
                           "WHERE dag_id = ? AND key = 'return_value'", (dag_id,)).fetchall()
    return {task_id: json.loads(value) for task_id, value in rows}


def test_q2_passes_on_the_reference(db):
    assert_passes(q2, reference_xcoms, db, "shop_daily_orders")


def test_q2_pending(db):
    assert_pending(q2)
    assert_pending(q2, lambda db, dag_id: ..., db, "shop_daily_orders")


def test_q2_rejects_undecoded_json_and_lists(db):
    def raw(db, dag_id):
        with sqlite3.connect(db) as con:
            return dict(con.execute("SELECT task_id, value FROM xcom WHERE dag_id = ? AND "
                                    "key = 'return_value'", (dag_id,)).fetchall())

    assert_rejects(q2, raw, db, "shop_daily_orders", mentions="json.loads")

    def as_list(db, dag_id):
        return list(reference_xcoms(db, dag_id).items())

    assert_rejects(q2, as_list, db, "shop_daily_orders", mentions="dict")


def test_q2_rejects_other_keys_and_other_dags(db):
    def every_key(db, dag_id):
        with sqlite3.connect(db) as con:
            rows = con.execute("SELECT task_id, json(value) FROM xcom WHERE dag_id = ?",
                               (dag_id,)).fetchall()
        return {task_id: json.loads(value) for task_id, value in rows}

    assert_rejects(q2, every_key, db, "shop_daily_orders", mentions="does not match")

    def every_dag(db, dag_id):
        with sqlite3.connect(db) as con:
            rows = con.execute("SELECT task_id, json(value) FROM xcom "
                               "WHERE key = 'return_value'").fetchall()
        return {task_id: json.loads(value) for task_id, value in rows}

    assert_rejects(q2, every_dag, db, "shop_daily_orders", mentions="unexpected")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def partition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lake") / "date=2026-10-04"
    folder.mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame({
        "order_id": [f"O{i:06d}" for i in range(60)],
        "category": rng.choice(["books", "toys", "garden"], size=60),
        "amount": rng.uniform(5, 300, size=60).round(2),
    }).to_parquet(folder / "part-0.parquet", index=False)
    return folder


def summarise(path):
    frame = pd.read_parquet(path)
    return {"rows": int(len(frame)), "revenue": round(float(frame["amount"].sum()), 2),
            "categories": sorted(str(c) for c in frame["category"].dropna().unique())}


def test_q3_passes_on_the_reference(partition):
    assert_passes(q3, summarise, partition)
    assert_passes(q3, lambda path: summarise(str(path)), partition)


def test_q3_pending(partition):
    assert_pending(q3)
    assert_pending(q3, lambda path: ..., partition)


def test_q3_rejects_a_dataframe_and_numpy_values(partition):
    assert_rejects(q3, pd.read_parquet, partition, mentions="DataFrame")

    def numpy_values(path):
        frame = pd.read_parquet(path)
        return {"rows": len(frame), "revenue": frame["amount"].sum().round(2),
                "categories": sorted(frame["category"].unique())}

    assert_rejects(q3, numpy_values, partition, mentions="numpy.float64")

    def array(path):
        frame = pd.read_parquet(path)
        return {"rows": len(frame), "revenue": round(float(frame["amount"].sum()), 2),
                "categories": np.sort(frame["category"].unique())}

    assert_rejects(q3, array, partition, mentions="JSON")


def test_q3_rejects_wrong_values_and_hard_coded_answers(partition):
    def unsorted(path):
        result = summarise(path)
        return {**result, "categories": result["categories"][::-1]}

    assert_rejects(q3, unsorted, partition, mentions="sort")

    def unrounded(path):
        frame = pd.read_parquet(path)
        return {**summarise(path), "revenue": float(frame["amount"].sum()) + 0.001}

    assert_rejects(q3, unrounded, partition, mentions="round")

    fixed = summarise(partition)
    assert_rejects(q3, lambda path: dict(fixed), partition, mentions="")

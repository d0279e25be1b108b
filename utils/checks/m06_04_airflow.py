"""Checks for 06_data_pipelines/04_airflow: a TaskFlow DAG with explicit settings, the tasks'
results read back from the metadata database, and a task result that XCom can carry as JSON.

q1 receives the learner's ``@dag``-decorated function and builds the DAG under an
installation whose defaults are the opposite of the task (catchup on, no retries), so only
settings written explicitly pass. q2 receives the learner's function and the SQLite metadata
database of the notebook's run; q3 the learner's function and a lake partition. Airflow is
imported inside the checks, with ``AIRFLOW_HOME`` kept in the workspace.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..check_helpers import call_learner, expect_function, type_name
from ..exercises import Exercise, expect, fail
from ..paths import workspace

NOTEBOOK = "06_data_pipelines/04_airflow"

DAG_ID = "shop_weekly_report"
SCHEDULE = "0 7 * * 1"  # Mondays at 07:00 UTC, after the daily DAG (06:00) has loaded Sunday
START = datetime(2026, 10, 1, tzinfo=UTC)
RETRIES = 3
RETRY_DELAY = timedelta(minutes=10)
# An installation whose defaults are the opposite of what the task asks for.
OPPOSITE_DEFAULTS = {"AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT": "True",
                     "AIRFLOW__CORE__DEFAULT_TASK_RETRIES": "0"}


def _airflow_home() -> None:
    """Keep anything Airflow writes on import in the workspace, never in ~/airflow."""
    os.environ.setdefault("AIRFLOW_HOME", str(workspace("m06_airflow")))


@contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- q1: a TaskFlow DAG with explicit settings ----------------------------------------------
def _fire_times(expression: str, n: int = 4) -> list[datetime]:
    """The first ``n`` times a cron expression fires after START (in UTC)."""
    from croniter import croniter

    times = croniter(expression, START)
    return [times.get_next(datetime) for _ in range(n)]


def _expect_schedule(timetable) -> None:
    expression = getattr(timetable, "expression", None)
    expect(isinstance(expression, str),
           f"the schedule is not a cron expression (Airflow made a {type_name(timetable)}): "
           f"use `schedule={SCHEDULE!r}`, Mondays at 07:00 UTC.")
    zone = getattr(timetable.timezone, "name", str(timetable.timezone))
    expect(zone == "UTC", f"the schedule runs in the time zone {zone}: give `start_date` in UTC "
                          "(`tzinfo=UTC`), so that 07:00 means 07:00 UTC.")
    got = _fire_times(expression)
    if got == _fire_times("@weekly"):
        fail("`@weekly` fires at midnight on Sunday, before the daily DAG has loaded the "
             "week's last days (it runs at 06:00 for the day before): the task asks for "
             f"Mondays at 07:00 UTC, `schedule={SCHEDULE!r}`.")
    expect(got == _fire_times(SCHEDULE),
           f"the schedule {expression!r} does not fire on Mondays at 07:00 UTC: use "
           f"`schedule={SCHEDULE!r}`.")


def _check_q1(weekly_report) -> str:
    _airflow_home()
    from airflow.sdk import DAG

    if isinstance(weekly_report, DAG):
        fail("pass the decorated function `weekly_report` itself, not the DAG that "
             "`weekly_report()` builds.")
    function = expect_function(weekly_report, "weekly_report")
    with _environment(OPPOSITE_DEFAULTS):
        built = call_learner(function, call="weekly_report()")
    expect(isinstance(built, DAG),
           f"calling `weekly_report()` gave a {type_name(built)}, not a DAG: decorate the "
           "function with `@dag(...)`.")
    expect(built.dag_id == DAG_ID, f"the DAG's id is {built.dag_id!r}; the task asks for "
                                   f"{DAG_ID!r}.")
    _expect_schedule(built.timetable)
    expect(built.start_date is not None and built.start_date == START,
           "the start date is not 1 October 2026, midnight UTC: use "
           "`datetime(2026, 10, 1, tzinfo=UTC)`.")
    expect(built.catchup is False,
           "catchup is on: with an installation that defaults to catchup, your DAG would "
           "schedule a run for every week since its start date. Set `catchup=False` "
           "explicitly in `@dag(...)`.")
    ids = sorted(built.task_ids)
    expect(ids == ["count_orders", "publish"],
           f"the DAG's tasks are {ids}; the task asks for `count_orders` and `publish` (the "
           "task ids are the decorated functions' names).")
    first = built.get_task("count_orders")
    expect(first.downstream_task_ids == {"publish"},
           "`publish` does not run after `count_orders`: call `publish(count_orders())` inside "
           "the DAG function, which passes the result and wires the dependency.")
    for task in built.tasks:
        if not task.retries:
            fail(f"task `{task.task_id}` has no retries: with an installation that defaults "
                 "to none, one failed attempt fails the run. Set `retries` in "
                 "`default_args`.")
        expect(task.retries == RETRIES, f"task `{task.task_id}` has {task.retries} retries; "
                                        f"the task asks for {RETRIES}.")
        expect(task.retry_delay == RETRY_DELAY,
               f"task `{task.task_id}` waits {task.retry_delay} between attempts; the task "
               "asks for 10 minutes (`retry_delay=timedelta(minutes=10)`).")
    expect("min_orders" in built.params, "the DAG has no parameter `min_orders`: add "
                                         "`params={\"min_orders\": Param(...)}`.")
    expect(built.params["min_orders"] == 100,
           "the parameter `min_orders` should default to 100.")
    schema = built.params.get_param("min_orders").schema
    expect(schema.get("type") == "integer",
           "declare `min_orders` as an integer: `Param(100, type=\"integer\")`, so that a "
           "run triggered with text is refused.")
    return ("Mondays at 07:00 UTC, catchup off and 3 retries even where the installation "
            "says otherwise.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Copy the shape of the daily DAG file above: `@dag(dag_id=..., schedule=..., "
        "start_date=..., catchup=..., default_args={...}, params={...})` on a function "
        "that defines two `@task` functions inside it.",
        "`default_args={\"retries\": 3, \"retry_delay\": timedelta(minutes=10)}` applies to "
        "every task; `params={\"min_orders\": Param(100, type=\"integer\")}`.",
        "Inside `weekly_report`, define `count_orders()` returning 0 and `publish(n_orders)`, "
        "both decorated with `@task`, then call `publish(count_orders())`. Pass "
        "`weekly_report` to the check without calling it.",
    ],
)


# -- q2: the tasks' results, read back from the metadata database -------------------------
def _reference_xcoms(db: Path, dag_id: str) -> dict:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT task_id, json(value) FROM xcom WHERE dag_id = ? AND "
                           "key = 'return_value'", (dag_id,)).fetchall()
    return {task_id: json.loads(value) for task_id, value in rows}


def _decodes_to(text: str | bytes, value: object) -> bool:
    try:
        return json.loads(text) == value
    except (TypeError, ValueError):
        return False


def _check_q2(xcom_results, db, dag_id) -> str:
    function = expect_function(xcom_results, "xcom_results")
    db = Path(db)
    expect(db.exists(), "the metadata database is missing: run the `airflow dags test` cell "
                        "first.")
    reference = _reference_xcoms(db, dag_id)
    expect(reference, "the database holds no results of this DAG: did `airflow dags test` "
                      "succeed?")
    result = call_learner(function, db, dag_id, call=f"xcom_results(db, {dag_id!r})")
    if isinstance(result, list | tuple):
        fail(f"`xcom_results` returned a {type_name(result)}; return a dict mapping each "
             "task id to its value.")
    expect(isinstance(result, dict),
           f"`xcom_results` should return a dict, not a {type_name(result)}.")
    missing = sorted(set(reference) - set(result))
    expect(not missing, f"task(s) {', '.join(missing)} are missing from your dict.")
    extra = sorted(map(str, set(result) - set(reference)))
    expect(not extra, f"unexpected key(s) {', '.join(extra)}: keep the task ids of this DAG's "
                      "`return_value` XComs.")
    for task_id, value in reference.items():
        got = result[task_id]
        if got != value and isinstance(got, str | bytes) and _decodes_to(got, value):
            fail(f"the value of `{task_id}` is still JSON text: decode it with `json.loads` "
                 "(`json(value)` in the SQL gives JSON text for every row).")
        expect(got == value, f"the value of `{task_id}` does not match what the task "
                             "returned: read the `value` column of the `xcom` table for "
                             "`key = 'return_value'`.")
    return f"results of {len(reference)} tasks read back."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Open the database with `sqlite3.connect(db)`; the table `xcom` has the columns "
        "`dag_id`, `task_id`, `key` and `value`.",
        "Select `task_id, json(value)` where `dag_id = ?` and `key = 'return_value'`, passing "
        "`(dag_id,)` as the parameters.",
        "`return {task_id: json.loads(value) for task_id, value in rows}`.",
    ],
)


# -- q3: a result that XCom can carry as JSON -----------------------------------------------
def _not_json(value: object, where: str) -> str | None:
    """Where ``value`` holds something other than plain JSON types, or None."""
    if value is None or type(value) in (str, int, float, bool):
        return None
    if type(value) is list:
        for i, item in enumerate(value):
            found = _not_json(item, f"{where}[{i}]")
            if found:
                return found
        return None
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                return f"{where} has a key of type {type_name(key)}"
            found = _not_json(item, f"{where}[{key!r}]")
            if found:
                return found
        return None
    kind = type(value)
    return f"{where} is a {kind.__module__.split('.')[0]}.{kind.__name__}"


def _reference_summary(path: Path) -> dict:
    import pandas as pd

    frame = pd.read_parquet(path)
    return {"rows": len(frame), "revenue": round(float(frame["amount"].sum()), 2),
            "categories": sorted(str(c) for c in frame["category"].dropna().unique())}


def _expect_summary(result: object, path: Path, shown: str) -> None:
    import pandas as pd

    if isinstance(result, pd.DataFrame | pd.Series):
        fail(f"`{shown}` returned a pandas {type_name(result)}: the data itself would go "
             "through XCom into the metadata database. Return a small dict of counts.")
    expect(isinstance(result, dict),
           f"`{shown}` should return a dict, not a {type_name(result)}.")
    keys = ["categories", "revenue", "rows"]
    expect(sorted(map(str, result)) == keys,
           "the dict should have exactly the keys 'rows', 'revenue' and 'categories'.")
    problem = _not_json(result, "the result")
    if problem:
        fail(f"{problem}, not a plain JSON type: XCom stores task results as JSON. Convert "
             "with `int(...)`, `float(...)`, `str(...)` or `list(...)`.")
    reference = _reference_summary(path)
    expect(result["rows"] == reference["rows"], "`rows` is not the number of orders in the "
                                                "partition.")
    expect(abs(result["revenue"] - reference["revenue"]) < 0.006,
           "`revenue` is not the sum of `amount` in the partition.")
    expect(result["revenue"] == round(result["revenue"], 2),
           "round `revenue` to 2 decimals.")
    if sorted(result["categories"]) == reference["categories"]:
        expect(result["categories"] == reference["categories"], "sort `categories`.")
    expect(result["categories"] == reference["categories"],
           "`categories` should list each category of the partition once, sorted.")


def _check_q3(summarise_partition, partition) -> str:
    import pandas as pd

    function = expect_function(summarise_partition, "summarise_partition")
    partition = Path(partition)
    expect(partition.is_dir() and any(partition.glob("*.parquet")),
           "the partition folder holds no Parquet file: run the DAG cells first.")
    result = call_learner(function, partition, call=f"summarise_partition(<{partition.name}>)")
    _expect_summary(result, partition, "summarise_partition")
    # A second partition with other values, so that nothing can be hard-coded.
    other = workspace("m06_airflow", "check_partition", "date=2000-01-01")
    frame = pd.read_parquet(partition)
    keep = frame["category"] != frame["category"].dropna().iloc[0]
    smaller = frame[keep].iloc[: max(1, len(frame) // 3)].assign(
        amount=lambda f: (f["amount"] * 1.5).round(2))
    smaller.to_parquet(other / "part-0.parquet", index=False)
    again = call_learner(function, other, call="summarise_partition(<another partition>)")
    _expect_summary(again, other, "summarise_partition")
    return f"{result['rows']} orders, all values plain JSON."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`pd.read_parquet(path)` reads every Parquet file of a partition folder into one "
        "DataFrame.",
        "pandas gives NumPy values: `len(frame)` is an int already, but "
        "`frame[\"amount\"].sum()` is a `numpy.float64` and `.unique()` an array.",
        "`{\"rows\": len(frame), \"revenue\": round(float(frame[\"amount\"].sum()), 2), "
        "\"categories\": sorted(str(c) for c in frame[\"category\"].dropna().unique())}`.",
    ],
)

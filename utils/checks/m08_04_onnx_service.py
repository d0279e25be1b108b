"""Checks for 08_deployment_serving/04_onnx_service: the inputs of the exported churn graph, a
client that sends a large table to the service in bounded batches, and the pinned
requirements of the serving image.

q1 receives the learner's function, the ONNX Runtime session and the scikit-learn pipeline it
was exported from, and a table of customers; q2 the learner's function, the URL of the running
ONNX service, the pipeline, a table and the service's batch limit; q3 the learner's list of
requirement lines. References are computed from those inputs (and, for q3, from the versions
installed in this environment), so they hold for any ``SEED`` or ``QUICK``.
"""

from __future__ import annotations

import re
from importlib import metadata

import numpy as np
import pandas as pd

from ..check_helpers import (
    call_learner,
    expect_array,
    expect_batch_route,
    expect_function,
    quiet,
    recording_proxy,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "08_deployment_serving/04_onnx_service"

TOLERANCE = 1e-5  # float32 graph against float64 scikit-learn: differences near 1e-7
# what the service imports, and what it must not drag into the image
SERVICE_PACKAGES = ("fastapi", "uvicorn", "pydantic", "numpy", "onnxruntime")
TRAINING_ONLY = {
    "scikit-learn", "sklearn", "skl2onnx", "onnx", "torch", "pandas", "joblib", "scipy",
    "mlflow", "matplotlib", "seaborn", "jupyterlab", "notebook", "ipykernel", "papermill",
    "tensorflow", "tensorflow-cpu", "keras", "mlcourse-utils", "skops",
}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*?)\s*$")


def _probabilities(pipeline, frame: pd.DataFrame) -> np.ndarray:
    with quiet():
        return pipeline.predict_proba(frame)[:, 1]


# -- q1: the feeds of the ONNX graph ------------------------------------------------------
def _expect_feeds(feeds: object, session, n_rows: int) -> dict:
    expect(isinstance(feeds, dict),
           f"`onnx_inputs` should return a dict (input name -> array), not a "
           f"{type_name(feeds)}: `session.run` takes one array per graph input, by name.")
    expected = {item.name: item for item in session.get_inputs()}
    missing = [name for name in expected if name not in feeds]
    extra = [str(name) for name in feeds if name not in expected]
    expect(not extra, f"the dict has key(s) {', '.join(map(repr, extra))} that are not inputs "
                      "of the graph: use the names of `session.get_inputs()`.")
    expect(not missing, f"the dict lacks the graph input(s) {', '.join(map(repr, missing))}.")
    for name, item in expected.items():
        array = feeds[name]
        if isinstance(array, pd.DataFrame | pd.Series):
            fail(f"`{name}` is a pandas {type_name(array)}: ONNX Runtime takes NumPy arrays "
                 "(`.to_numpy()`).")
        expect_array(array, f"onnx_inputs(...)[{name!r}]")
        if array.shape != (n_rows, 1):
            fail(f"the array for {name!r} has shape {array.shape}; the graph declares "
                 f"{item.shape}, a column: one row per customer and one value each "
                 "(`reshape(-1, 1)`, or select the column as `frame[[name]]`).")
        if item.type == "tensor(string)":
            expect(array.dtype.kind in "OU",
                   f"{name!r} is a text input (tensor(string)); its array holds "
                   f"{array.dtype}: pass the strings themselves (dtype object or str).")
        elif item.type == "tensor(float)":
            expect(array.dtype == np.float32,
                   f"the array for {name!r} has dtype {array.dtype}, but the graph declares "
                   "tensor(float), which is float32: ONNX Runtime refuses any other dtype "
                   "(it does not convert for you).")
    return feeds


def _check_q1(onnx_inputs, session, pipeline, frame) -> str:
    expect_function(onnx_inputs, "onnx_inputs")
    one = call_learner(onnx_inputs, frame.head(1))
    _expect_feeds(one, session, 1)
    feeds = _expect_feeds(call_learner(onnx_inputs, frame), session, len(frame))
    try:
        labels, probabilities = session.run(None, feeds)
    except Exception as error:  # noqa: BLE001 (ONNX Runtime's own exception types)
        fail(f"`session.run(None, onnx_inputs(frame))` raised {type_name(error)}: {error}")
    right = _probabilities(pipeline, frame)
    mine = np.asarray(probabilities)[:, 1]
    if np.abs(mine - right).max() > TOLERANCE:
        if np.abs(np.sort(mine) - np.sort(right)).max() <= TOLERANCE:
            fail("the right probabilities come out in another order: keep the rows of "
                 "`frame` in their order in every array.")
        fail("the graph runs, but its probabilities do not match the pipeline's: is each "
             "input fed with its own column of `frame` (the names match the columns)?")
    with quiet():
        same = bool(np.array_equal(np.asarray(labels), pipeline.predict(frame)))
    expect(same, "the labels of the graph differ from the pipeline's: check the columns.")
    return f"{len(feeds)} inputs, {len(frame)} customers, same probabilities as the pipeline."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`session.get_inputs()` lists the graph's inputs: each has a `.name` (a column of "
        "`frame`), a `.type` and a `.shape` ([None, 1]: a column).",
        "For each input, take the column as a 2-D array with `frame[[name]].to_numpy()`; text "
        "columns can stay as they are (dtype object).",
        "Numbers must be float32, the type the graph declares: "
        "`frame[[name]].to_numpy(dtype=np.float32)`. Return `{name: array, ...}` for all "
        "inputs.",
    ],
)


# -- q2: the whole table over HTTP, in bounded batches -------------------------------------
def _check_q2(predict_over_http, url, pipeline, frame, max_batch) -> str:
    expect_function(predict_over_http, "predict_over_http")
    expect(isinstance(url, str) and url.startswith("http"),
           "the second argument should be the service's URL, `onnx_server.url`.")
    if len(frame) <= max_batch:  # the check needs more rows than one request may carry
        repeats = max_batch // max(len(frame), 1) + 2
        frame = pd.concat([frame] * repeats)
    small = frame.head(min(5, max_batch))
    proxy, records = recording_proxy(url.rstrip("/"))
    via = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        small_answer = call_learner(predict_over_http, via, small, call=(
            f"predict_over_http(url, <{len(small)} rows>)"))
        n_small = len(records)
        try:
            answer = predict_over_http(via, frame)
        except Exception as error:  # noqa: BLE001
            fail(f"`predict_over_http(url, <{len(frame)} rows>)` raised {type_name(error)}: "
                 f"{error}. It works for {len(small)} rows: the service refuses a batch of "
                 "more than MAX_BATCH records (422), so send the table in slices of at most "
                 "MAX_BATCH rows.")
    finally:
        proxy.shutdown()
        proxy.server_close()
    expect_batch_route(records)
    n_requests = sum(path == "/predict/batch" for _, path, _ in records[n_small:])
    for value, rows in ((small_answer, small), (answer, frame)):
        value = expect_array(value, "predict_over_http(...)", real=True)
        if value.ndim == 2:
            fail(f"the result has shape {value.shape}: return one churn probability per "
                 "customer, a 1-D array.")
        if len(value) < len(rows) and len(value) == len(rows) - len(rows) % max_batch:
            fail(f"the result has {len(value)} values for {len(rows)} customers: only full "
                 "batches were answered. Send every slice, the last (shorter) one included.")
        expect(value.shape == (len(rows),),
               f"the result has shape {value.shape} for {len(rows)} customers: one "
               "probability per customer, in the table's order.")
    answer = np.asarray(answer, dtype=float)
    right = _probabilities(pipeline, frame)
    if np.abs(answer - right).max() <= TOLERANCE:
        return (f"{len(frame)} customers in {n_requests} requests of at most {max_batch}, "
                "same as the pipeline.")
    with quiet():
        labels = pipeline.predict(frame)
    if np.isin(answer, (0.0, 1.0)).all() and np.array_equal(answer, labels):
        fail("these are the 0/1 decisions (`churn`), not the probabilities: return "
             "`churn_probability` of each answer.")
    if np.abs(answer - (1.0 - right)).max() <= TOLERANCE:
        fail("these are the probabilities of staying (1 - p): return `churn_probability`.")
    if np.abs(np.sort(answer) - np.sort(right)).max() <= TOLERANCE:
        fail("the right probabilities, in another order: keep the slices, and the answers "
             "within each, in the order of the table's rows.")
    fail("the probabilities do not match the model's for these customers: send each row's "
         "five fields as one record (`frame.to_dict(orient=\"records\")`) and keep the "
         "answers in order.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`/predict/batch` takes `{\"records\": [...]}` with 1 to MAX_BATCH records and answers "
        "`{\"predictions\": [{\"churn_probability\": ...}, ...], ...}` in the same order.",
        "Loop over slices `frame.iloc[start:start + MAX_BATCH]` for `start` in "
        "`range(0, len(frame), MAX_BATCH)`; `slice.to_dict(orient=\"records\")` gives the "
        "records.",
        "For each slice: `httpx.post(url + \"/predict/batch\", json={\"records\": records})`, "
        "`raise_for_status()`, then collect each prediction's `churn_probability`; return "
        "`np.array(collected)`.",
    ],
)


# -- q3: the pinned requirements of the serving image --------------------------------------
def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _needed(roots: dict[str, set[str]]) -> set[str]:
    """The installed distributions that ``roots`` (name -> extras asked for) need, themselves
    included, read from each one's metadata, transitively."""
    from packaging.requirements import Requirement

    needed: set[str] = set()
    todo = list(roots.items())
    while todo:
        name, extras = todo.pop()
        key = _normalise(name)
        if key in needed:
            continue
        needed.add(key)
        try:
            requires = metadata.requires(key) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra})
                                     for extra in (extras or {""})):
                todo.append((requirement.name, set(requirement.extras)))
    return needed


def _check_q3(serving_requirements) -> str:
    if isinstance(serving_requirements, str):
        fail("`serving_requirements` is one string; make it a list with one requirement per "
             "line (the file's lines), e.g. `text.splitlines()`.")
    expect(isinstance(serving_requirements, list | tuple),
           f"`serving_requirements` should be a list of strings, not a "
           f"{type_name(serving_requirements)}.")
    pins: dict[str, str] = {}
    extras: dict[str, set[str]] = {}
    for line in serving_requirements:
        expect(isinstance(line, str), f"every requirement should be a string like "
                                      f"'name==version', not a {type_name(line)}.")
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = REQUIREMENT.match(line)
        expect(match is not None, f"{line.strip()!r} is not a requirement line; write "
                                  "`name==version`.")
        name, extra, spec = match.groups()
        key = _normalise(name)
        extras[key] = {e.strip() for e in (extra or "[]")[1:-1].split(",") if e.strip()}
        expect(key not in pins, f"{name!r} is listed twice.")
        if not spec.startswith("==") or any(c in spec[2:] for c in "<>=!~*,;"):
            fail(f"{line.strip()!r} is not an exact pin: an image built next month would "
                 "install whatever is newest then. Write `name==version`, the version you "
                 "tested with.")
        pins[key] = spec[2:].strip()
    for package in SERVICE_PACKAGES:
        expect(package in pins, f"the service cannot start without {package!r}: the app or "
                                "the server (uvicorn) imports it.")
    training = sorted(set(pins) & TRAINING_ONLY)
    expect(not training, f"{', '.join(training)} is/are needed to train or export the model, "
                         "not to serve the ONNX file: leave them out of the image (the point "
                         "of exporting was a process without them).")
    for key, version in pins.items():
        installed = _installed(key)
        expect(installed is not None,
               f"{key!r} is not installed here, so the service was never tested with it: pin "
               "only what the running service uses.")
        expect(version == installed,
               f"the pin of {key!r} is not the version installed here, the one the notebook's "
               "service ran with: read it with `importlib.metadata.version`.")
    unneeded = sorted(set(pins) - _needed({p: extras.get(p, set()) for p in SERVICE_PACKAGES}))
    expect(not unneeded, f"{', '.join(unneeded)}: neither the service nor its server imports "
                         "it, and no package they use depends on it: leave it out of the image "
                         "(it holds what the service needs, nothing else).")
    return f"{len(pins)} exact pins, no training libraries."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "List what the service imports (look at the app's imports) plus the server that runs "
        "it; nothing that only training or exporting needed.",
        "Five packages: the web framework, its schema library, the ASGI server, the array "
        "library and the ONNX runtime. Each line `name==version`.",
        "`[f\"{name}=={importlib.metadata.version(name)}\" for name in (\"fastapi\", "
        "\"uvicorn\", \"pydantic\", \"numpy\", \"onnxruntime\")]`.",
    ],
)

"""Checks for 08_deployment_serving/02_onnx_runtime: feeds for a converted pipeline, a parity
function, a PyTorch network exported with a dynamic batch axis.

Each check receives the learner's answer first, then what the notebook gave them (the ONNX
Runtime session, the native model, the rows); references are computed from those inputs, so
they hold whatever ``SEED`` or ``QUICK`` the notebook ran with.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..check_helpers import call_learner, expect_function, expect_number, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "08_deployment_serving/02_onnx_runtime"

PROBABILITY_ATOL = 1e-5  # float32 graph against a float64 or float32 native model
PARITY_KEYS = ("max_abs_diff", "labels_equal", "ok")
OPSET = 17  # the standard-operator opset q3 asks for


# -- q1: feeds for the converted pipeline ----------------------------------------------------
def _session_error(error: Exception) -> str:
    return str(error).split(" : ")[-1].splitlines()[0][:160]


def _check_q1(to_feeds, session, pipeline, raw_rows) -> str:
    expect_function(to_feeds, "to_feeds")
    probe = raw_rows.copy()
    first = probe.index[:5]
    probe.loc[first, "region"] = probe.loc[first, "region"].str.upper()  # dirty spellings
    records = probe.to_dict("records")
    feeds = call_learner(to_feeds, records, call="to_feeds(<records of raw test customers>)")
    expect(isinstance(feeds, Mapping),
           f"`to_feeds` should return a dict (input name -> array), not a {type_name(feeds)}.")
    names = [i.name for i in session.get_inputs()]
    missing = [n for n in names if n not in feeds]
    expect(not missing, f"the feeds lack the graph input(s) {', '.join(missing)}: one entry per "
                        "input of `sk_session.get_inputs()`, named like it.")
    extra = [str(k) for k in feeds if k not in names]
    expect(not extra, f"the feeds have key(s) the graph does not declare: {', '.join(extra)}.")
    rows = len(records)
    for spec in session.get_inputs():
        value = feeds[spec.name]
        if isinstance(value, list | tuple):
            fail(f"`{spec.name}` is a Python {type_name(value)}; ONNX Runtime wants NumPy "
                 "arrays: wrap it in `np.array(..., dtype=...)`.")
        expect(isinstance(value, np.ndarray),
               f"`{spec.name}` is a {type_name(value)}; give ONNX Runtime NumPy arrays.")
        if value.shape == (rows,):
            fail(f"`{spec.name}` is 1-D, shape {value.shape}; the graph declares shape "
                 "[None, 1]: one inner list per record, `[[r[name]] for r in records]`.")
        expect(value.shape == (rows, 1),
               f"`{spec.name}` has shape {value.shape}; it should have one row per record "
               "and one column.")
        if spec.type == "tensor(float)" and value.dtype != np.float32:
            fail(f"`{spec.name}` is {value.dtype}, but the graph declares float32 "
                 "(tensor(float)); ONNX Runtime does not convert types: give `dtype=`.")
        if spec.type == "tensor(string)" and value.dtype.kind not in "OU":
            fail(f"`{spec.name}` is {value.dtype}; the graph declares strings.")
    region = np.asarray(feeds["region"]).ravel().astype(str)
    if any(text != text.lower() for text in region):
        fail("some regions are still in upper case (`NORTH`): the encoder learned lower-case "
             "values and silently encodes unknown ones as no region. Apply the training's "
             "cleaning rule before the graph.")
    try:
        labels, probabilities = session.run(None, dict(feeds))
    except Exception as error:  # onnxruntime's own exception types
        fail(f"ONNX Runtime refused the feeds: {_session_error(error)}")
    clean = probe.assign(region=probe["region"].str.lower())
    with quiet():
        reference = pipeline.predict_proba(clean)
    expect(probabilities.shape == reference.shape
           and np.abs(probabilities - reference).max() <= PROBABILITY_ATOL,
           "the session's probabilities differ from the pipeline's on the same customers: "
           "keep the records in their order and pass each field's value unchanged.")
    return "the session accepts the feeds and answers like the pipeline, dirty regions too."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`sk_session.get_inputs()` lists what the graph wants: one input per column, shape "
        "[None, 1], strings or float32.",
        "`np.array([[r[name]] for r in records], dtype=np.float32)` gives a (rows, 1) float32 "
        "array; `dtype=object` keeps strings.",
        "One dict entry per name in CATEGORICAL + NUMERIC; for the region, lower-case each "
        "value first: `[[r['region'].lower()] for r in records]`.",
    ],
)


# -- q2: parity --------------------------------------------------------------------------
def _parity_result(result: object, call: str) -> dict:
    expect(isinstance(result, Mapping),
           f"`{call}` should return a dict with the keys {', '.join(map(repr, PARITY_KEYS))}, "
           f"not a {type_name(result)}.")
    missing = [key for key in PARITY_KEYS if key not in result]
    expect(not missing, f"the dict `parity` returns lacks {', '.join(map(repr, missing))}.")
    value = {"max_abs_diff": expect_number(result["max_abs_diff"], "max_abs_diff")}
    for key in ("labels_equal", "ok"):
        flag = result[key]
        if isinstance(flag, np.ndarray) and flag.ndim >= 1:
            fail(f"`{key}` is an array, one value per row; it should be one bool for all rows "
                 "(`.all()`, or `np.array_equal`).")
        expect(isinstance(flag, bool | np.bool_),
               f"`{key}` should be a bool, not a {type_name(flag)}.")
        value[key] = bool(flag)
    return value


def _reference(native, onnx_, native_labels, onnx_labels, atol):
    diff = float(np.abs(np.asarray(native, dtype=float) - np.asarray(onnx_, dtype=float)).max())
    equal = bool(np.array_equal(native_labels, onnx_labels))
    return {"max_abs_diff": diff, "labels_equal": equal, "ok": diff <= atol and equal}


def _check_q2(parity, native_proba, onnx_proba, native_labels, onnx_labels) -> str:
    expect_function(parity, "parity")
    rng = np.random.default_rng(0)
    native = rng.uniform(0.02, 0.98, 400)
    native[native.round(3) == 0.5] = 0.3  # no row at the threshold by accident
    labels = (native > 0.5).astype(np.int64)
    lower, higher, one_row = native - 2e-3, native + 2e-3, native.copy()
    one_row[17] += 1e-3
    flipped_native, flipped_labels = native.copy(), labels.copy()
    flipped_native[3], flipped_labels[3] = 0.5000001, 1  # within float32 noise of 0.5
    flipped_onnx, flipped_onnx_labels = flipped_native.copy(), flipped_labels.copy()
    flipped_onnx[3], flipped_onnx_labels[3] = 0.4999999, 0
    cases = {
        "real": (native_proba, onnx_proba, native_labels, onnx_labels, 1e-5),
        "float32": (native, native.astype(np.float32), labels, labels.copy(), 1e-5),
        "one_row": (native, one_row, labels, labels.copy(), 1e-5),
        "one_row_loose": (native, one_row, labels, labels.copy(), 1e-2),
        "lower": (native, lower, labels, labels.copy(), 1e-5),
        "higher": (native, higher, labels, labels.copy(), 1e-5),
        "flipped": (flipped_native, flipped_onnx, flipped_labels, flipped_onnx_labels, 1e-5),
    }
    got, want = {}, {}
    for name, (a, b, la, lb, atol) in cases.items():
        call = "parity(native_proba, onnx_proba, native_labels, onnx_labels" + (
            f", atol={atol:g})" if atol != 1e-5 else ")")
        result = call_learner(parity, a, b, la, lb, atol, call=call)
        got[name] = _parity_result(result, call)
        want[name] = _reference(a, b, la, lb, atol)

    if not got["float32"]["ok"] and got["float32"]["max_abs_diff"] < 1e-6:
        fail("probabilities that differ only by float32 rounding are reported as not ok: "
             "compare the largest difference with the tolerance `atol`, not with `==`.")
    if not got["float32"]["ok"]:
        fail("two answers that agree to float32 rounding are reported as not ok: `ok` should "
             "hold when the largest absolute difference is at most `atol` and the labels agree.")
    if any(result["max_abs_diff"] < 0 for result in got.values()):
        fail("`max_abs_diff` came out negative: a signed difference depends on which model is "
             "higher. Take the ABSOLUTE value of the differences before the maximum.")
    one = got["one_row"]["max_abs_diff"]
    if abs(one - want["one_row"]["max_abs_diff"]) > 1e-9 and abs(one - 1e-3 / len(native)) < 1e-9:
        fail("`max_abs_diff` is the mean difference: one row off among many hides in a mean. "
             "Report the largest absolute difference.")
    for name in cases:
        if abs(got[name]["max_abs_diff"] - want[name]["max_abs_diff"]) > 1e-9:
            fail("`max_abs_diff` is not the largest absolute difference of the two probability "
                 "arrays (test your function with arrays that differ on one row, up or down).")
    if got["one_row"]["ok"]:
        fail("a row that differs by 1e-3 passes with atol=1e-5: `ok` must compare the largest "
             "difference with `atol`.")
    if not got["one_row_loose"]["ok"]:
        fail("with `atol=1e-2`, a difference of 1e-3 should be ok: use the `atol` argument, "
             "not a fixed tolerance.")
    if got["flipped"]["labels_equal"]:
        fail("`labels_equal` is True although one predicted label differs: compare the label "
             "arrays themselves, every row.")
    if got["flipped"]["ok"]:
        fail("`ok` is True although a label flipped (the probabilities agree within `atol`, "
             "but sit on either side of 0.5): `ok` needs equal labels too.")
    for name in cases:
        for key in ("labels_equal", "ok"):
            expect(got[name][key] == want[name][key],
                   f"`{key}` is wrong in some case: `labels_equal` when the labels agree on "
                   "every row, `ok` when the tolerance and the labels both hold.")
    real = want["real"]
    return (f"this notebook's models: largest difference {real['max_abs_diff']:.1e}, labels "
            f"{'equal' if real['labels_equal'] else 'NOT equal'}.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Three values: the largest absolute difference, whether every label agrees, and "
        "both conditions together.",
        "`np.abs(a - b).max()` is the largest absolute difference; `np.array_equal(x, y)` "
        "compares two label arrays row by row.",
        "Return `{'max_abs_diff': float(...), 'labels_equal': bool(...), 'ok': diff <= atol "
        "and labels_equal}`.",
    ],
)


# -- q3: the network exported with a dynamic batch axis -----------------------------------
def _check_q3(path, scorer, features) -> str:
    import onnx
    import onnxruntime as ort
    import torch

    expect(isinstance(path, str | Path),
           f"`TORCH_ONNX_PATH` should be a path, not a {type_name(path)}.")
    path = Path(path)
    expect(path.is_file(), "there is no file at `TORCH_ONNX_PATH`: export `scorer` to it with "
                           "`torch.onnx.export(..., TORCH_ONNX_PATH, ...)`.")
    try:
        proto = onnx.load(path)
    except Exception as error:
        fail(f"`TORCH_ONNX_PATH` is not an ONNX file that `onnx.load` reads ({type_name(error)}).")
    inputs = [value.name for value in proto.graph.input]
    outputs = [value.name for value in proto.graph.output]
    expect(inputs == ["features"], f"the graph's inputs are {inputs}; name the one input "
                                   "'features' (`input_names=`), as a service will feed it.")
    expect(outputs == ["churn_probability"],
           f"the graph's outputs are {outputs}; name the one output 'churn_probability' "
           "(`output_names=`).")
    opsets = {entry.domain or "ai.onnx": entry.version for entry in proto.opset_import}
    expect(opsets.get("ai.onnx") == OPSET,
           f"the file's standard-operator opset is {opsets.get('ai.onnx')}, not {OPSET}: pass "
           f"`opset_version={OPSET}`, the version the task names (the runtime must support it).")
    batch = proto.graph.input[0].type.tensor_type.shape.dim[0]
    if not batch.dim_param:
        fail(f"the input's batch axis is fixed to {batch.dim_value}: the file accepts only that "
             "many rows per call. Declare axis 0 of the input and output dynamic "
             "(`dynamic_axes=`).")
    out_dims = proto.graph.output[0].type.tensor_type.shape.dim
    out_batch = out_dims[0] if out_dims else None
    if out_batch is None or out_batch.dim_param != batch.dim_param:
        found = (f"`{out_batch.dim_param}`" if out_batch is not None and out_batch.dim_param
                 else "not a named axis")
        fail(f"the output's axis 0 is {found}, not the input's `{batch.dim_param}`, so the file "
             "does not say that it returns one row per input row. Declare axis 0 of the output "
             "in `dynamic_axes=` too, with the same name as the input's.")
    expect(all(node.op_type != "Dropout" for node in proto.graph.node),
           "the graph contains a Dropout operator: the model was exported in "
           "training mode. Call `scorer.eval()` before exporting.")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    reference_model = copy.deepcopy(scorer).eval()
    features = features.detach().to(torch.float32)
    for size in (1, 7, len(features)):
        batch_rows = features[:size]
        with torch.no_grad():
            reference = reference_model(batch_rows).numpy()
        try:
            (answer,) = session.run(None, {"features": batch_rows.numpy()})
        except Exception as error:
            fail(f"ONNX Runtime failed on a batch of {size} rows: {_session_error(error)}")
        expect(answer.shape == reference.shape,
               f"on {size} rows the file returns shape {answer.shape}, `scorer` returns "
               f"{tuple(reference.shape)}: export `scorer` itself.")
        expect(np.abs(answer - reference).max() <= PROBABILITY_ATOL,
               f"on {size} rows the file's answers differ from `scorer` in evaluation mode: "
               "export the trained `scorer`, not another or an untrained model.")
    return "one file, any batch size, same probabilities as the network."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`torch.onnx.export(model, (example,), path, dynamo=False, opset_version=17, ...)`: "
        "the example is one batch of the prepared features, e.g. `A_test[:1]`.",
        "`input_names=['features']`, `output_names=['churn_probability']`.",
        "`dynamic_axes={'features': {0: 'batch'}, 'churn_probability': {0: 'batch'}}` makes "
        "axis 0 free in both.",
    ],
)

"""Checks for 08_deployment_serving/03_torchscript_export: a TorchScript module that keeps
the data-dependent branch (script, not trace), a function that runs a TorchScript file in a
fresh Python process, and a ``torch.export`` program with a dynamic batch dimension.

Every check receives the learner's answer first, then the trained eager ``model`` and the
test images (raw pixels 0-16 and the same pixels scaled to 0-1, so that both branches of the
model's ``if`` are taken). References are computed by running ``model`` itself on those
inputs, so they hold for any ``SEED`` or ``QUICK``.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import (
    call_learner,
    expect_array,
    expect_function,
    quiet,
    same_numbers,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "08_deployment_serving/03_torchscript_export"

ATOL = 1e-5  # float32 logits computed by two runtimes: equal to about this much


def _logits(run, X):
    """``run(X)`` without gradients, as a float64 NumPy array."""
    import torch

    with torch.no_grad():
        return run(X).detach().double().numpy()


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return same_numbers(a, b, atol=ATOL)


def _eval_logits(model, X):
    was_training = model.training
    model.eval()
    try:
        return _logits(model, X)
    finally:
        model.train(was_training)


def _branches(run, model, X_raw, X_scaled, name: str, fix: str) -> None:
    """Reject ``run`` unless it matches ``model`` on both branches (raw and scaled pixels).

    ``fix`` ends the feedback for "one branch right, the other wrong" (trace vs export)."""
    got = {"raw": _logits(run, X_raw), "scaled": _logits(run, X_scaled)}
    again = {"raw": _logits(run, X_raw), "scaled": _logits(run, X_scaled)}
    if not all(_same(got[k], again[k]) for k in got):
        fail(f"`{name}` gives different answers for the same images on each call: dropout is "
             "still active. Switch the model to evaluation mode with `.eval()` before "
             "converting it (trace and export record dropout as it ran in training mode, and "
             "their result cannot be switched afterwards).")
    want = {"raw": _eval_logits(model, X_raw), "scaled": _eval_logits(model, X_scaled)}
    right = {k: _same(got[k], want[k]) for k in got}
    if all(right.values()):
        return
    if right["raw"] or right["scaled"]:
        good, bad = ("raw", "scaled") if right["raw"] else ("scaled", "raw")
        fail(f"`{name}` agrees with `model` on {good} pixels but not on {bad} pixels: one "
             f"branch of the `if` in `forward` was lost. {fix}")
    fail(f"`{name}` disagrees with `model` on both raw and scaled pixels: convert the trained "
         "`model` itself (or load its `state_dict` into the new module), in evaluation mode, "
         "and keep what each branch does (raw pixels, above 1, are divided by 16).")


# -- q1: a TorchScript module that keeps both branches -----------------------------------
def _check_q1(deployable, model, X_raw, X_scaled) -> str:
    import torch

    if isinstance(deployable, type):
        fail("`deployable` is a class; pass the TorchScript module made from `model`.")
    if isinstance(deployable, torch.nn.Module) and not isinstance(deployable,
                                                                 torch.jit.ScriptModule):
        fail("`deployable` is a plain Python `nn.Module` (the eager model), not TorchScript: "
             "convert `model` with one of the `torch.jit` functions.")
    expect(isinstance(deployable, torch.jit.ScriptModule),
           f"`deployable` should be a TorchScript module (`torch.jit.ScriptModule`), not a "
           f"{type_name(deployable)}.")
    _branches(deployable, model, X_raw, X_scaled, "deployable",
              "Tracing records only the branch its example input took; compile the source "
              "instead, so that the `if` is kept.")
    expect(not deployable.training,
           "`deployable` is in training mode: call `.eval()` so that dropout is off when it "
           "is saved and served.")
    return "both branches kept, evaluation mode."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`torch.jit.trace` records the operations one example input ran; "
        "`torch.jit.script` compiles the Python source of `forward`, `if` included.",
        "Make sure `model` is in evaluation mode first (`model.eval()` returns the model).",
        "`deployable = torch.jit.script(model.eval())`.",
    ],
)


# -- q2: run a TorchScript file in a fresh Python process --------------------------------
def _shifted_copy(model):
    """A copy of ``model`` with other weights, so that the right answer depends on the file
    the check hands out, not on any file the notebook wrote."""
    import copy

    import torch

    twin = copy.deepcopy(model).eval()
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for parameter in twin.parameters():
            parameter.add_(0.05 * torch.randn(parameter.shape, generator=generator))
    return twin


def _with_child_errors(function):
    """``function``, with a failed child process reported by the last line of its stderr
    (``CalledProcessError`` alone says only "returned non-zero exit status 1")."""
    import subprocess

    def wrapper(*args):
        try:
            return function(*args)
        except subprocess.CalledProcessError as error:
            stderr = error.stderr or ""
            if isinstance(stderr, bytes):
                stderr = stderr.decode(errors="replace")
            lines = [line.strip() for line in stderr.splitlines() if line.strip()]
            said = f", and said: {lines[-1][:200]}" if lines else ""
            raise RuntimeError(f"the child process exited with status {error.returncode}"
                               f"{said}") from None

    return wrapper


def _check_q2(run_in_fresh_process, model, X_scaled) -> str:
    import tempfile
    from pathlib import Path

    import torch

    expect_function(run_in_fresh_process, "run_in_fresh_process")
    batch = np.ascontiguousarray(X_scaled[:40].numpy() if hasattr(X_scaled, "numpy")
                                 else np.asarray(X_scaled[:40]), dtype=np.float32)
    twin = _shifted_copy(model)
    original_load = torch.jit.load
    loaded_here = []

    def spy(*args, **kwargs):
        loaded_here.append(args)
        return original_load(*args, **kwargs)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "check_model.pt"
        with quiet():  # TorchScript's deprecation warnings are the lesson's, not the check's
            torch.jit.save(torch.jit.script(twin), path)
        torch.jit.load = spy
        try:
            result = call_learner(_with_child_errors(run_in_fresh_process), path, batch,
                                  call="run_in_fresh_process(<a TorchScript file>, <images>)")
        finally:
            torch.jit.load = original_load
    if loaded_here:
        fail("`run_in_fresh_process` loaded the file in THIS kernel (`torch.jit.load` ran "
             "here). Start a new Python with `subprocess.run([sys.executable, ...])` and load "
             "the file there: only a separate process shows that the file needs no class.")
    if isinstance(result, torch.Tensor):
        fail("`run_in_fresh_process` returns a torch tensor; return a NumPy array (the child "
             "process can save its logits with `np.save`, the parent reads them with "
             "`np.load`).")
    result = expect_array(result, "run_in_fresh_process(...)", real=True)
    if result.shape == (len(batch),):
        fail(f"`run_in_fresh_process(...)` returned {len(batch)} values, one per image: return "
             "the logits, one row of 10 scores per image, not the predicted labels.")
    expect(result.shape == (len(batch), 10),
           f"`run_in_fresh_process(...)` should return the logits, shape ({len(batch)}, 10), "
           f"but its shape is {result.shape}.")
    want = _eval_logits(twin, torch.from_numpy(batch))
    if _same(result.astype(float), want):
        return "the file ran in a fresh process, with no class of ours, and gave our logits."
    if _same(result.astype(float), _eval_logits(model, torch.from_numpy(batch))):
        fail("these are the logits of the notebook's own model, not of the file the check "
             "passed as `path`: load the file named by the `path` argument, not a fixed one.")
    fail("the logits differ from those of the model in the file at `path` run on `batch`: run "
         "`torch.jit.load(path)` on exactly the images passed in, without gradients, and "
         "return its output unchanged.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "The child process needs three things from the parent: the model file, the images "
        "and where to write its answer. Pass paths on the command line and files on disk.",
        "Save `batch` with `np.save` into a temporary folder, run `subprocess.run([sys."
        "executable, \"-I\", \"-c\", PROGRAM, str(path), inputs, outputs], check=True)` and "
        "read the result back with `np.load`.",
        "PROGRAM can be the section's loader, reduced to one file in and one out: "
        "`torch.jit.load(sys.argv[1])`, then `np.save(sys.argv[3], model(torch.from_numpy("
        "np.load(sys.argv[2]))).detach().numpy())`.",
    ],
)


# -- q3: torch.export with a dynamic batch dimension -------------------------------------
def _check_q3(exported, model, X_raw, X_scaled) -> str:
    import torch

    if isinstance(exported, torch.fx.GraphModule):
        fail("`exported` is a GraphModule (what `.module()` returns); keep the "
             "`ExportedProgram` that `torch.export.export` returned: it is what "
             "`torch.export.save` writes.")
    if isinstance(exported, torch.nn.Module):
        fail("`exported` is an `nn.Module`, not an exported program: pass the module to "
             "`torch.export.export` and keep what it returns.")
    expect(isinstance(exported, torch.export.ExportedProgram),
           f"`exported` should be the `ExportedProgram` that `torch.export.export` returns, "
           f"not a {type_name(exported)}.")
    run = exported.module()
    sizes = []
    for n in (1, 7, len(X_raw)):
        try:
            _logits(run, X_raw[:n])
        except Exception:  # a guard on the batch size failed
            sizes.append(n)
    if sizes:
        fail(f"`exported` refuses a batch of {sizes[0]} images: its batch dimension is fixed "
             "to the example's size. Declare it dynamic with `dynamic_shapes=` and a "
             "`torch.export.Dim`, so that a server can send any number of images.")
    _branches(run, model, X_raw, X_scaled, "exported",
              "Check the two branches of `torch.cond`: the first function runs when the "
              "condition is true (raw pixels, max > 1), the second when it is false.")
    for n in (1, 7):
        for X in (X_raw, X_scaled):
            expect(_same(_logits(run, X[:n]), _eval_logits(model, X[:n])),
                   f"`exported` is right on the whole test set but not on a batch of {n}: "
                   "the condition must look at the batch it is given.")
    return "both branches, any batch size, evaluation mode."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "By default `torch.export.export` specialises every dimension to the example "
        "input's size; `dynamic_shapes` says which ones may vary.",
        "`dynamic_shapes` is a dict from the name of `forward`'s argument (`x`) to a dict "
        "{dimension index: torch.export.Dim(\"batch\")}.",
        "`exported = torch.export.export(exportable.eval(), (example,), dynamic_shapes="
        "{\"x\": {0: torch.export.Dim(\"batch\")}})`.",
    ],
)

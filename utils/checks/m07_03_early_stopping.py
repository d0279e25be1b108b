"""Checks for 07_advanced_tuning/03_early_stopping: an early-stopping class for a PyTorch
loop, gradient boosting with early stopping switched on, and the final score reported on the
test rows with the best weights.

q1 receives the learner's class and drives it with loss sequences of its own and a tiny model
whose weights change every epoch. q2 receives the fitted model, the count and the training
rows (and the seed) and refits a reference. q3 receives the learner's model and number, the
best and last weights, and the validation and test tensors.
"""

from __future__ import annotations

from ..check_helpers import expect_integer, expect_number, expect_type, is_fitted, near, type_name
from ..exercises import Exercise, attempted, expect, fail

NOTEBOOK = "07_advanced_tuning/03_early_stopping"


# -- q1: an EarlyStopper class --------------------------------------------------------------
# (patience, min_delta, losses): each classic mistake stops somewhere else in at least one
_SCENARIOS = [
    (2, 0.0, [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9, 0.9]),
    (3, 0.1, [1.0, 0.95, 0.92, 0.91, 0.93, 0.94, 0.96, 0.97, 0.98]),
    (2, 0.25, [1.0, 0.75, 0.9, 0.8, 0.9, 0.95]),  # 0.75 improves by exactly min_delta
    (2, 0.0, [1.0, 1.1, 0.9, 1.0, 0.85, 0.9, 0.95, 0.97]),
    (3, 0.0, [1.0, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.72]),
]
_MISTAKES = {
    "le": "an improvement of exactly `min_delta` counted as better: the loss must be "
          "strictly below `best_loss - min_delta`.",
    "no_delta": "`min_delta` is ignored: a loss only a little lower than the best one must "
                "not count as an improvement.",
    "plus_delta": "`min_delta` is added to the best loss instead of subtracted: an "
                  "improvement must go below `best_loss - min_delta`.",
    "late": "your stopper stops one epoch too late: it should return True on the epoch where "
            "the count of epochs without improvement reaches `patience`.",
    "early": "your stopper stops one epoch too early: it should wait for `patience` epochs "
             "without improvement.",
    "no_reset": "the count of epochs without improvement is not reset when the loss improves: "
                "patience counts bad epochs IN A ROW.",
}


def _simulate(patience, min_delta, losses, variant="right"):
    """Where a stopper stops (index of the call returning True, or None) and its best index,
    for the right rule or one classic mistake."""
    best, bad, best_index = float("inf"), 0, None
    for index, loss in enumerate(losses):
        if variant == "le":
            better = loss <= best - min_delta
        elif variant == "no_delta":
            better = loss < best
        elif variant == "plus_delta":
            better = loss < best + min_delta
        else:
            better = loss < best - min_delta
        if better:
            best, best_index = loss, index
            if variant != "no_reset":
                bad = 0
        else:
            bad += 1
        limit = {"late": patience + 1, "early": patience - 1}.get(variant, patience)
        if bad >= limit:
            return index, best_index
    return None, best_index


def _drive(cls, patience, min_delta, losses):
    """Run the learner's stopper over ``losses``; return (stop index or None, stopper, the
    snapshots of the weights at each epoch, the model)."""
    import copy

    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    try:
        stopper = cls(patience, min_delta)
    except Exception as error:  # the learner's constructor broke
        fail(f"`EarlyStopper({patience}, {min_delta})` raised {type_name(error)}: {error}")
    snapshots = []
    for epoch, loss in enumerate(losses):
        with torch.no_grad():  # the "training" of this epoch: every weight changes
            for parameter in model.parameters():
                parameter.add_(1.0 + epoch)
        snapshots.append(copy.deepcopy(model.state_dict()))
        try:
            stop = stopper.step(loss, model)
        except Exception as error:
            fail(f"`stopper.step({loss}, model)` raised {type_name(error)}: {error}")
        attempted(stop)
        expect(stop is not None, "`step` returned None: did it forget to `return` whether to "
                                 "stop?")
        expect(isinstance(stop, bool), f"`step` should return True or False, not a "
                                       f"{type_name(stop)}: wrap the comparison in "
                                       "`bool(...)`.")
        if stop:
            return epoch, stopper, snapshots, model
    return None, stopper, snapshots, model


def _same_state(a, b) -> bool:
    import torch

    return set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)


def _check_q1(EarlyStopper) -> str:
    import torch

    expect(isinstance(EarlyStopper, type),
           f"pass the class itself, `EarlyStopper`, not an instance or a "
           f"{type_name(EarlyStopper)}.")
    expect(callable(getattr(EarlyStopper, "step", None)),
           "`EarlyStopper` needs a method `step(self, val_loss, model)`.")
    runs = [_drive(EarlyStopper, *scenario) for scenario in _SCENARIOS]
    stops = [run[0] for run in runs]
    right = [_simulate(*scenario) for scenario in _SCENARIOS]
    if stops != [stop for stop, _ in right]:
        for variant, message in _MISTAKES.items():
            if stops == [_simulate(*scenario, variant)[0] for scenario in _SCENARIOS]:
                fail(message)
        for (patience, min_delta, losses), stop, (expected, _) in zip(
                _SCENARIOS, stops, right, strict=True):
            if stop != expected:
                when = "never" if stop is None else f"at call {stop + 1}"
                fail(f"with patience={patience}, min_delta={min_delta} and the losses {losses}, "
                     f"`step` returned True {when}: that is not where `patience` epochs in a "
                     "row without an improvement end.")
    for (_, _, losses), (_, stopper, snapshots, model), (_, best) in zip(
            _SCENARIOS, runs, right, strict=True):
        expect(hasattr(stopper, "best_loss") and hasattr(stopper, "best_state"),
               "store the best loss in `self.best_loss` and the weights in `self.best_state`.")
        expect(stopper.best_loss == losses[best],
               f"`best_loss` is {stopper.best_loss!r} after the losses {losses}: store the "
               "loss of each improvement, and only then.")
        state = stopper.best_state
        expect(isinstance(state, dict), f"`best_state` should be a state_dict (a dict of "
                                        f"tensors), not a {type_name(state)}.")
        live = model.state_dict()
        if any(isinstance(v, torch.Tensor) and k in live and v.data_ptr() == live[k].data_ptr()
               for k, v in state.items()):
            fail("`best_state` shares its tensors with the model: `model.state_dict()`, "
                 "`dict(...)` or `.copy()` only copy the references, and the next optimiser "
                 "step changes them. Take a deep copy.")
        if not _same_state(state, snapshots[best]):
            if _same_state(state, snapshots[-1]):
                fail("`best_state` holds the LAST epoch's weights: copy the weights when the "
                     "loss improves, and only then.")
            fail("`best_state` holds the weights of another epoch than the best one.")
    return "it stops at the right epoch and keeps the best weights in every scenario."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`__init__` stores `patience` and `min_delta` and starts with `best_loss = "
        "float('inf')`, `best_state = None` and a counter of bad epochs at 0.",
        "In `step`: if `val_loss < self.best_loss - self.min_delta`, it is an improvement "
        "(store the loss, a deep copy of the weights, reset the counter); otherwise add one "
        "to the counter.",
        "Return `self.bad_epochs >= self.patience`; the copy is "
        "`copy.deepcopy(model.state_dict())`.",
    ],
)


# -- q2: gradient boosting with early stopping ------------------------------------------------
SETTINGS = {"max_iter": 500, "learning_rate": 0.2, "validation_fraction": 0.25,
            "n_iter_no_change": 5}


def _check_q2(hgb, n_stop, X_train, y_train, seed) -> str:
    import numpy as np
    from sklearn.base import clone
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    expect_type(hgb, HistGradientBoostingClassifier, "hgb")
    expect(is_fitted(hgb), "`hgb` is not fitted: call `.fit(X_train, y_train)`.")
    params = hgb.get_params()
    if params["early_stopping"] == "auto":
        fail("`early_stopping` is left at 'auto', which is off on fewer than 10,000 rows: "
             "switch it on explicitly.")
    expect(params["early_stopping"] is True, "`early_stopping` should be switched on (True).")
    for name, value in SETTINGS.items():
        expect(params[name] == value, f"`{name}` is {params[name]!r}; the task gives another "
                                      "value.")
    expect(params["random_state"] is not None,
           "no `random_state`: the validation rows (and so the stopping point) change on every "
           "fit. Pass `random_state=SEED`.")
    expect(params["random_state"] == seed, "`random_state` should be `SEED`.")
    with threadpool_limits(limits=1, user_api="openmp"):  # on a busy CPU, threads only wait
        reference = clone(hgb).fit(X_train, y_train)
    expect(hgb.n_iter_ == reference.n_iter_
           and np.array_equal(hgb.predict(X_train), reference.predict(X_train)),
           "`hgb` was not fitted on the training rows X_train, y_train.")
    n = expect_integer(n_stop, "n_stop")
    if n == len(hgb.validation_score_) and n != hgb.n_iter_:
        fail("`n_stop` counts the validation scores, which include one for the model before "
             "any tree: use the number of iterations the model reports.")
    if n == params["max_iter"]:
        fail("`n_stop` is `max_iter`: read how many iterations the model actually ran.")
    expect(n == hgb.n_iter_, "`n_stop` is not the number of boosting iterations `hgb` ran.")
    return f"early stopping ended after {n} of at most {params['max_iter']} iterations."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Pass every setting of the task to `HistGradientBoostingClassifier(...)`, including "
        "`early_stopping=True` and `random_state=SEED`, then `.fit(X_train, y_train)`.",
        "The fitted model has an attribute ending in an underscore that counts the boosting "
        "iterations it ran.",
        "`n_stop = int(hgb.n_iter_)`.",
    ],
)


# -- q3: the final score on the right data --------------------------------------------------
def _state_accuracy(model, state, X, y, *, train_mode=False) -> float:
    import torch

    probe = type(model)().to(X.device)
    probe.load_state_dict(state)
    probe.train(train_mode)
    torch.manual_seed(0)
    with torch.no_grad():
        return (probe(X).argmax(dim=1) == y).float().mean().item()


def _check_q3(final_model, final_accuracy, best_state, last_state, X_val, y_val, X_test,
              y_test) -> str:
    import torch

    expect_type(final_model, torch.nn.Module, "final_model")
    accuracy = expect_number(final_accuracy, "final_accuracy")
    expect(0.0 <= accuracy <= 1.0, "`final_accuracy` should be a fraction between 0 and 1, "
                                   "not a percentage or a count.")
    weights = final_model.state_dict()

    def same_as(state) -> bool:
        return set(weights) == set(state) and all(
            torch.equal(weights[k], state[k].to(weights[k].device)) for k in state)

    if not same_as(best_state):
        if same_as(last_state):
            fail("`final_model` holds the LAST epoch's weights: load the best ones "
                 "(`best_state`).")
        fail("`final_model` does not hold the weights in `best_state`: use `load_state_dict`.")
    expect(not final_model.training, "`final_model` is still in training mode: dropout keeps "
                                     "zeroing units while you measure. Call `.eval()`.")
    test = _state_accuracy(final_model, best_state, X_test, y_test)
    if near(accuracy, test, rtol=0, atol=1e-6):
        return f"test accuracy {accuracy:.3f}, from rows that took no part in choosing the epoch."
    if near(accuracy, _state_accuracy(final_model, best_state, X_val, y_val), rtol=0, atol=1e-6):
        fail("`final_accuracy` is the VALIDATION accuracy: those rows chose the epoch, so their "
             "score is optimistic. Measure on the test images.")
    if near(accuracy, _state_accuracy(final_model, last_state, X_test, y_test), rtol=0, atol=1e-6):
        fail("`final_accuracy` is the test accuracy of the last epoch's weights (`model`): "
             "measure `final_model`.")
    fail("`final_accuracy` is not the test accuracy of `final_model` in eval mode: compare "
         "`final_model(X_test_t).argmax(dim=1)` with `y_test_t` (was dropout still on?).")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Build `MLP().to(DEVICE)`, then `load_state_dict(best_state)`.",
        "`evaluate(model, X, y)` returns the loss and the accuracy, in eval mode: which X and "
        "y have taken no part in choosing the epoch?",
        "`final_accuracy = evaluate(final_model, X_test_t, y_test_t)[1]`.",
    ],
)

"""Checks for 07_advanced_tuning/01_optuna: an objective with log-scale and integer
suggestions, a pruned objective that reports per step, a study stored in SQLite, and a random
search at the same budget as the study.

The objective checks receive the learner's function, the model builder and the data: they run
the function in small in-memory studies of their own and recompute every score from the same
builder and data, so they hold whatever ``SEED`` or ``QUICK`` the notebook ran with.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import numpy as np

from ..check_helpers import expect_function, expect_type, quiet, same_numbers, type_name
from ..exercises import Exercise, attempted, expect, fail

NOTEBOOK = "07_advanced_tuning/01_optuna"

LEARNING_RATE = (0.01, 0.5)
LEAVES = (4, 64)
PROBE = {"learning_rate": 0.1, "max_leaf_nodes": 15}  # the settings each check tries first


@contextlib.contextmanager
def _silent_optuna() -> Iterator[None]:
    """Optuna logs each trial (and each failed one) to stderr: silence it inside a check."""
    import optuna

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.CRITICAL)
    try:
        with quiet():
            yield
    finally:
        optuna.logging.set_verbosity(level)


def _learner_objective(function: Callable, name: str) -> Callable:
    """Wrap the learner's objective: a crash becomes feedback, a pruned trial stays pruned,
    a ``...`` result means not attempted."""
    import optuna

    def wrapped(trial):
        try:
            result = function(trial)
        except optuna.TrialPruned:
            raise
        except Exception as error:  # the learner's code broke: feedback, never a traceback
            fail(f"`{name}(trial)` raised {type_name(error)}: {error}")
        return attempted(result)

    return wrapped


def _expect_space(trial, name: str) -> None:
    """The booster's space: learning_rate on a log scale in [0.01, 0.5], max_leaf_nodes an
    integer in [4, 64]."""
    from optuna.distributions import FloatDistribution, IntDistribution

    missing = [p for p in ("learning_rate", "max_leaf_nodes") if p not in trial.distributions]
    expect(not missing, f"`{name}` suggests no {', '.join(map(repr, missing))}: name the "
                        "suggestions exactly like the booster's arguments.")
    rate = trial.distributions["learning_rate"]
    expect(isinstance(rate, FloatDistribution),
           "`learning_rate` should be a float: use `trial.suggest_float`.")
    expect(rate.log, "`learning_rate` is suggested on a linear scale: most draws then land near "
                     "the top of the range. A learning rate is a scale parameter: `log=True`.")
    expect((rate.low, rate.high) == LEARNING_RATE,
           f"`learning_rate` is suggested between {rate.low:g} and {rate.high:g}; the task "
           "gives another range.")
    leaves = trial.distributions["max_leaf_nodes"]
    expect(isinstance(leaves, IntDistribution),
           "`max_leaf_nodes` is a whole number of leaves: use `trial.suggest_int`.")
    expect((leaves.low, leaves.high) == LEAVES,
           f"`max_leaf_nodes` is suggested between {leaves.low} and {leaves.high}; the task "
           "gives another range (both ends included).")


def _average_precisions(model, data) -> dict[str, float]:
    from sklearn.metrics import average_precision_score

    return {part: average_precision_score(y, model.predict_proba(X)[:, 1])
            for part, (X, y) in data.items()}


def _which_score(value: float, scores: dict[str, float], what: str) -> None:
    """Reject a value that is not the validation AP, naming the score it is."""
    if same_numbers(value, scores["validation"]):
        return
    if same_numbers(value, scores["training"]):
        fail(f"{what} is the TRAINING score: the search would reward overfitting. Score the "
             "validation rows.")
    if same_numbers(value, scores["test"]):
        fail(f"{what} is the TEST score: tuning on the test set leaves no honest estimate of "
             "the final model. Score the validation rows.")
    validation = scores["validation"]
    if same_numbers(value, -validation) or same_numbers(value, 1 - validation):
        fail(f"{what} is turned around (negated or 1 - AP): keep the score as it is and let "
             "the study's direction say that higher is better.")
    fail(f"{what} is not the average precision of `make_booster(learning_rate, "
         f"max_leaf_nodes)` on the validation rows for the suggested settings: fit on "
         f"X_train, y_train and score `predict_proba(X_val)[:, 1]` against y_val.")


# -- q1: an objective for the booster ------------------------------------------------------
def _check_q1(booster_objective, make_booster, X_train, y_train, X_val, y_val,
              X_test, y_test) -> str:
    import optuna

    expect_function(booster_objective, "booster_objective")
    data = {"training": (X_train, y_train), "validation": (X_val, y_val), "test": (X_test, y_test)}
    with _silent_optuna():
        study = optuna.create_study(direction="maximize",
                                    sampler=optuna.samplers.RandomSampler(seed=0))
        study.enqueue_trial(PROBE, skip_if_exists=False)
        study.optimize(_learner_objective(booster_objective, "booster_objective"), n_trials=2)
        for trial in study.trials:
            expect(trial.state == optuna.trial.TrialState.COMPLETE,
                   "`booster_objective` did not return a number: return the validation "
                   "average precision.")
            _expect_space(trial, "booster_objective")
            model = make_booster(trial.params["learning_rate"], trial.params["max_leaf_nodes"])
            scores = _average_precisions(model.fit(X_train, y_train), data)
            _which_score(trial.value, scores, "the value `booster_objective` returns")
    best = max(t.value for t in study.trials)
    return f"two trials ran; validation AP up to {best:.3f}."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "The objective takes a `trial`, asks it for `learning_rate` and `max_leaf_nodes`, "
        "builds the model with `make_booster`, fits it and returns one number.",
        "`trial.suggest_float('learning_rate', 0.01, 0.5, log=True)` and "
        "`trial.suggest_int('max_leaf_nodes', 4, 64)`.",
        "Fit on `X_train, y_train`, then return `average_precision_score(y_val, "
        "model.predict_proba(X_val)[:, 1])`.",
    ],
)


# -- q2: a pruned objective that reports after every step -----------------------------------
def _check_q2(booster_pruned_objective, make_booster, step, n_trees, X_train, y_train,
              X_val, y_val) -> str:
    import optuna
    from sklearn.metrics import average_precision_score

    expect_function(booster_pruned_objective, "booster_pruned_objective")
    objective = _learner_objective(booster_pruned_objective, "booster_pruned_objective")
    n_steps = n_trees // step
    with _silent_optuna():
        full = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
        full.enqueue_trial(PROBE, skip_if_exists=False)
        full.optimize(objective, n_trials=1)
        trial = full.trials[0]
        expect(trial.state == optuna.trial.TrialState.COMPLETE,
               "with a pruner that never prunes, the trial should run to the end and return "
               "the final validation average precision.")
        _expect_space(trial, "booster_pruned_objective")
        reported = [trial.intermediate_values[k] for k in sorted(trial.intermediate_values)]
        expect(reported, "the trial reported no intermediate values: without "
                         "`trial.report(score, step)` a pruner has nothing to compare, and "
                         "nothing is ever pruned.")
        expect(len(reported) == n_steps,
               f"the trial reported {len(reported)} value(s); report once per step of "
               "BOOSTER_STEP trees, up to BOOSTER_TREES.")
        model = make_booster(PROBE["learning_rate"], PROBE["max_leaf_nodes"])
        validation, training = [], []
        for k in range(1, n_steps + 1):
            model.set_params(max_iter=k * step).fit(X_train, y_train)
            validation.append(average_precision_score(y_val, model.predict_proba(X_val)[:, 1]))
            training.append(average_precision_score(y_train,
                                                    model.predict_proba(X_train)[:, 1]))
        if all(same_numbers(a, b) for a, b in zip(reported, training, strict=True)):
            fail("the reported values are TRAINING scores: the pruner would compare how well "
                 "trials fit their own data. Report the validation average precision.")
        expect(all(same_numbers(a, b) for a, b in zip(reported, validation, strict=True)),
               "the reported values are not the validation average precision after 1, 2, ... "
               "steps: grow the model with `set_params(max_iter=...)` and `fit` (warm start), "
               "and score `predict_proba(X_val)[:, 1]` after each step.")
        expect(same_numbers(trial.value, validation[-1]),
               "the returned value is not the final validation average precision.")

        pruning = optuna.create_study(direction="maximize",
                                      pruner=optuna.pruners.ThresholdPruner(lower=2.0))
        pruning.enqueue_trial(PROBE, skip_if_exists=False)
        pruning.optimize(objective, n_trials=1)
        pruned = pruning.trials[0]
    if pruned.state != optuna.trial.TrialState.PRUNED:
        fail("a pruner that wants to stop the trial at once could not stop it: after each "
             "`trial.report`, ask `trial.should_prune()` and raise `optuna.TrialPruned()` "
             "when it says so.")
    expect(len(pruned.intermediate_values) == 1,
           f"the trial went on for {len(pruned.intermediate_values)} steps although the "
           "pruner asked to stop after the first: ask `trial.should_prune()` after EVERY "
           "report, inside the loop.")
    return (f"{n_steps} values reported per trial, and the trial stops as soon as the pruner "
            "asks.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Same suggestions as `booster_objective`; build the model once, then loop over the "
        "numbers of trees BOOSTER_STEP, 2 * BOOSTER_STEP, ..., BOOSTER_TREES.",
        "In the loop: `model.set_params(max_iter=n_trees).fit(X_train, y_train)`, compute the "
        "validation AP, then `trial.report(score, step=step)` with step 0, 1, 2, ...",
        "Right after each report: `if trial.should_prune(): raise optuna.TrialPruned()`. "
        "After the loop, return the last score.",
    ],
)


# -- q3: a study stored in SQLite, maximising, seeded TPE, median pruner -------------------
def _check_q3(booster_study, storage_url, booster_name, n_trials, seed) -> str:
    import optuna
    from optuna.pruners import MedianPruner, NopPruner
    from optuna.samplers import TPESampler
    from optuna.storages import RDBStorage
    from optuna.study import StudyDirection

    if booster_study is optuna.create_study:
        fail("`booster_study` is the function `optuna.create_study` itself: call it.")
    expect_type(booster_study, optuna.study.Study, "booster_study",
                "the study that `optuna.create_study(...)` returns")
    storage = getattr(booster_study._storage, "_backend", booster_study._storage)
    expect(isinstance(storage, RDBStorage),
           "the study lives in memory and is lost with the kernel: pass "
           "`storage=storage_url` to store it in the SQLite file.")
    expect(storage.url == storage_url,
           "the study is stored in another database than `storage_url`.")
    expect(booster_study.study_name == booster_name,
           "the study has another name than `booster_name`: with `load_if_exists=True`, "
           "the name is what finds the study again.")
    expect(booster_study.direction == StudyDirection.MAXIMIZE,
           "the study minimises (the default direction): it hunts for the LOWEST average "
           "precision. Pass `direction=\"maximize\"`.")
    sampler = booster_study.sampler
    expect(isinstance(sampler, TPESampler),
           f"the sampler is a {type_name(sampler)}; the task asks for a TPE sampler.")
    pruner = booster_study.pruner
    expect(not isinstance(pruner, NopPruner),
           "the study has no pruner (NopPruner), so nothing is ever stopped early.")
    expect(isinstance(pruner, MedianPruner),
           f"the pruner is a {type_name(pruner)}; the task asks for a MedianPruner.")
    expect(getattr(pruner, "_n_startup_trials", None) == 2
           and getattr(pruner, "_n_warmup_steps", None) == 1,
           "the MedianPruner's settings differ from the task's (n_startup_trials=2, "
           "n_warmup_steps=1).")
    finished = booster_study.get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED))
    expect(len(finished) >= n_trials,
           f"the study holds {len(finished)} finished trial(s); run `n_booster_trials` trials.")
    expect(any(t.intermediate_values for t in finished),
           "no trial reported intermediate values: optimise `booster_pruned_objective`, the "
           "objective that reports after each step.")
    first = booster_study.trials[0]
    with _silent_optuna():
        replay = optuna.create_study(sampler=TPESampler(seed=seed))
        drawn = replay.ask(fixed_distributions=dict(first.distributions)).params
    expect(drawn == first.params,
           "the first trial's settings are not what a TPE sampler seeded with `SEED` draws: "
           "pass `seed=SEED` to the sampler, so the study can be reproduced.")
    n_pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in finished)
    return (f"{len(finished)} trials stored in SQLite, {n_pruned} pruned; best validation AP "
            f"{booster_study.best_value:.3f}.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`optuna.create_study(storage=..., study_name=..., load_if_exists=True, "
        "direction=..., sampler=..., pruner=...)`, then `booster_study.optimize(...)`.",
        "Average precision is better when higher: `direction=\"maximize\"`. The sampler is "
        "`optuna.samplers.TPESampler(seed=SEED)`.",
        "`pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)`, and "
        "`booster_study.optimize(booster_pruned_objective, n_trials=n_booster_trials)`.",
    ],
)


# -- q4: a random search at the same budget as the study ----------------------------------
def _draws(space: object, name: str, rng: np.random.Generator) -> np.ndarray:
    """Values drawn from a distribution (anything with ``rvs``) or a list, as the search
    would draw them."""
    if hasattr(space, "rvs"):
        return np.asarray(space.rvs(size=4000, random_state=0), dtype=float)
    if isinstance(space, list | tuple | np.ndarray) and len(space):
        return rng.choice(np.asarray(space, dtype=float), size=4000)
    fail(f"`{name}` should be a distribution (from scipy.stats) or a list of values, got "
         f"{type_name(space)}.")
    return np.array([])  # not reached


def _check_q4(booster_random, booster_study, val_fold, seed) -> str:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    if isinstance(booster_random, GridSearchCV):
        fail("`booster_random` is a grid search; the task asks for a `RandomizedSearchCV`.")
    expect_type(booster_random, RandomizedSearchCV, "booster_random")
    expect(hasattr(booster_random, "cv_results_"),
           "the search is not fitted: call `booster_random.fit(X_search, y_search)`.")
    expect(isinstance(booster_random.estimator, HistGradientBoostingClassifier),
           "the search does not tune the booster: use `make_booster(0.1, 31)` as its "
           "estimator.")
    spaces = booster_random.param_distributions
    spaces = spaces if isinstance(spaces, list) else [spaces]
    expect(len(spaces) == 1, "one dict of distributions is enough here.")
    space = spaces[0]
    missing = [p for p in ("learning_rate", "max_leaf_nodes") if p not in space]
    expect(not missing, f"the search does not draw {', '.join(map(repr, missing))}.")
    rng = np.random.default_rng(0)
    rates = _draws(space["learning_rate"], "learning_rate", rng)
    expect(rates.min() >= LEARNING_RATE[0] * (1 - 1e-9) and rates.max() <= LEARNING_RATE[1]
           * (1 + 1e-9) and rates.max() > 0.3 and rates.min() < 0.02,
           "`learning_rate` is not drawn between 0.01 and 0.5. (SciPy's `uniform(loc, scale)` "
           "covers [loc, loc + scale]; `loguniform(a, b)` covers [a, b].)")
    middle = np.sqrt(LEARNING_RATE[0] * LEARNING_RATE[1])
    expect(np.mean(rates < middle) > 0.35,
           "`learning_rate` is drawn on a linear scale: most draws land near the top of the "
           "range. Draw it log-uniformly.")
    leaves = _draws(space["max_leaf_nodes"], "max_leaf_nodes", rng)
    expect(np.all(leaves == np.round(leaves)) and set(leaves.astype(int)) == set(range(4, 65)),
           "`max_leaf_nodes` should be every whole number from 4 to 64, both included "
           "(`randint(4, 65)` or `list(range(4, 65))`).")
    n_candidates = len(booster_random.cv_results_["params"])
    n_splits = booster_random.n_splits_
    n_trials = len(booster_study.trials)
    if n_candidates * n_splits != n_trials:
        if n_splits != 1:
            fail(f"each candidate was fitted {n_splits} times (once per fold): the search "
                 "made more fits than the study has trials, so the comparison is at unequal "
                 "budgets. Score on the one validation fold, `cv=val_fold`.")
        fail(f"the search tried {n_candidates} candidates and the study has {n_trials} "
             "trials: unequal budgets. Set `n_iter` from the study's number of trials.")
    expect(booster_random.cv is val_fold,
           "the search does not score on the validation fold: pass `cv=val_fold`.")
    expect(booster_random.scoring == "average_precision",
           "the search does not score with average precision (the study's score): "
           "`scoring=\"average_precision\"`.")
    expect(booster_random.refit is False,
           "the search refits the winner: one more fit than the study made. Pass "
           "`refit=False`.")
    expect(booster_random.random_state == seed,
           "seed the draws with `random_state=SEED`, so the search can be reproduced.")
    best = float(np.max(booster_random.cv_results_["mean_test_score"]))
    return (f"{n_trials} candidates each: random search's best validation AP {best:.3f}, the "
            f"study's {booster_study.best_value:.3f} (one run each, and the study's pruned "
            "trials grew fewer trees: compare over seeds before calling a winner).")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "The budget is the number of fits: candidates times folds. The study made one fit per "
        "trial, so the search needs one fold and as many candidates as "
        "`len(booster_study.trials)`.",
        "`{\"learning_rate\": loguniform(0.01, 0.5), \"max_leaf_nodes\": list(range(4, 65))}`, "
        "`n_iter=len(booster_study.trials)`, `cv=val_fold`.",
        "Also `scoring=\"average_precision\"`, `refit=False`, `random_state=SEED`; then "
        "`booster_random.fit(X_search, y_search)`.",
    ],
)

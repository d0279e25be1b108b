"""Checks for 04_deep_learning/03_keras: a functional Keras model, compile/fit with validation
data and callbacks, a checkpoint reloaded and evaluated on the test set.

Every check receives the learner's answers first, then the data the notebook gave them.
References are computed from those inputs (the learner's models are only asked to predict or
evaluate), so they hold whatever ``SEED``, ``QUICK`` or epoch count the notebook ran with.
Keras is imported inside the check functions only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..check_helpers import expect_number, expect_type, near, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "04_deep_learning/03_keras"

N_FEATURES = 64
N_HIDDEN = 128
N_CLASSES = 10
DROPOUT = 0.2
N_PARAMS = N_FEATURES * N_HIDDEN + N_HIDDEN + N_HIDDEN * N_CLASSES + N_CLASSES  # 9,610
ACCURACY_BAR = 0.95  # the module's shared quality bar on the digits test set
QUICK_ACCURACY_BAR = 0.8  # quick mode trains three epochs only
LOSS_RTOL = 1e-3  # the same loss computed twice in float32, batches maybe summed differently


def _cross_entropy_on_logits(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean sparse categorical cross-entropy of integer labels ``y`` given raw scores."""
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


def _accuracy(model, X, y) -> float:
    logits = np.asarray(model.predict(X, verbose=0))
    return float(np.mean(logits.argmax(axis=1) == np.asarray(y)))


# -- q1: the same MLP with the functional API ---------------------------------------------
def _check_q1(functional_model) -> str:
    import keras

    expect_type(functional_model, keras.Model, "functional_model",
                "(built with `keras.Model(inputs, outputs)`)")
    if isinstance(functional_model, keras.Sequential):
        fail("`functional_model` is a Sequential model. The task asks for the functional API: "
             "start from `keras.Input(...)`, call each layer on the previous tensor, and "
             "finish with `keras.Model(inputs, outputs)`.")
    expect(len(functional_model.inputs) == 1 and len(functional_model.outputs) == 1,
           "`functional_model` should have one input and one output.")
    in_shape = tuple(functional_model.inputs[0].shape)
    expect(in_shape == (None, N_FEATURES),
           f"the model's input has shape {in_shape}; each digit is a row of {N_FEATURES} "
           f"pixels, so the input should be `keras.Input(shape=({N_FEATURES},))`.")
    out_shape = tuple(functional_model.outputs[0].shape)
    expect(out_shape == (None, N_CLASSES),
           f"the model's output has shape {out_shape}; it should give one score per digit "
           f"class, shape (None, {N_CLASSES}).")
    dense = [layer for layer in functional_model.layers
             if isinstance(layer, keras.layers.Dense)]
    dropout = [layer for layer in functional_model.layers
               if isinstance(layer, keras.layers.Dropout)]
    expect(len(dense) == 2,
           f"the model has {len(dense)} Dense layer(s); the architecture has two: a hidden "
           f"layer of {N_HIDDEN} units and the output layer.")
    hidden, output = dense
    expect(hidden.units == N_HIDDEN,
           f"the hidden Dense layer has {hidden.units} units; the task asks for {N_HIDDEN}.")
    expect(hidden.activation.__name__ == "relu",
           f"the hidden layer's activation is {hidden.activation.__name__}; use "
           "`activation=\"relu\"`.")
    if output.activation.__name__ == "softmax":
        fail("the output layer applies softmax, but the loss of this notebook is told "
             "`from_logits=True`: it applies the softmax itself. Leave the last Dense layer "
             "without an activation, so that it outputs logits.")
    expect(output.activation.__name__ == "linear",
           f"the output layer applies {output.activation.__name__}; leave it without an "
           "activation, so that it outputs logits.")
    expect(len(dropout) == 1,
           f"the model has {len(dropout)} Dropout layer(s); the architecture has one, after "
           "the hidden layer.")
    expect(math.isclose(dropout[0].rate, DROPOUT),
           f"the Dropout rate is {dropout[0].rate}; the task asks for {DROPOUT}.")
    order = functional_model.layers.index
    expect(order(hidden) < order(dropout[0]) < order(output),
           "the Dropout layer should sit between the hidden layer and the output layer.")
    n_params = functional_model.count_params()
    expect(n_params == N_PARAMS,
           f"the model has {n_params:,} parameters; recount the layers against the task "
           "(did a layer lose its bias?).")
    return f"{n_params:,} parameters, the same as the Sequential model."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "The functional API starts from a symbolic input: `inputs = keras.Input(shape=(64,))`.",
        "Call each layer on the tensor before it: `x = keras.layers.Dense(128, "
        "activation=\"relu\")(inputs)`, then Dropout on `x`, then the output layer on that.",
        "The output layer is `keras.layers.Dense(10)` with no activation (logits); finish with "
        "`functional_model = keras.Model(inputs, outputs)`.",
    ],
)


# -- q2: compile and fit with validation data, EarlyStopping and ModelCheckpoint ------------
def _check_q2(history, keras_model, checkpoint_path, X_val, y_val) -> str:
    import keras

    if isinstance(history, Mapping):
        fail("`history` is a dict (that is `history.history`); store what `fit` returns, the "
             "History object itself.")
    if isinstance(history, keras.Model):
        fail("`history` is a model; `history` should be what `keras_model.fit(...)` returns.")
    expect_type(history, keras.callbacks.History, "history", "(what `fit` returns)")
    expect_type(keras_model, keras.Model, "keras_model")
    expect(history.model is keras_model,
           "`history` comes from fitting another model than `keras_model`: store the result "
           "of `keras_model.fit(...)`.")
    logs = history.history
    expect(len(history.epoch) > 0 and "loss" in logs, "`history` records no epoch: call `fit`.")
    expect("val_loss" in logs,
           "`history` has no `val_loss`: the model was never validated. Pass "
           "`validation_data=(X_val, y_val)` to `fit`.")
    expect("accuracy" in logs and "val_accuracy" in logs,
           "`history` has no accuracy: compile with `metrics=[\"accuracy\"]`.")
    expect(logs["loss"][-1] < logs["loss"][0],
           "the training loss did not go down: check the optimizer and its learning rate.")

    X_val, y_val = np.asarray(X_val), np.asarray(y_val)
    with quiet():
        logits = np.asarray(keras_model.predict(X_val, verbose=0))
        evaluated = keras_model.evaluate(X_val, y_val, verbose=0, return_dict=True)
    val_loss = float(evaluated["loss"])
    if np.all(logits >= 0) and np.allclose(logits.sum(axis=1), 1.0, atol=1e-4):
        fail("`keras_model` outputs probabilities (a softmax): keep `make_model()` as it is, "
             "with logits out, and tell the loss `from_logits=True`.")
    reference = _cross_entropy_on_logits(logits, y_val)
    if not near(val_loss, reference, LOSS_RTOL, 1e-6):
        with quiet():
            on_probabilities = float(keras.losses.SparseCategoricalCrossentropy()(y_val, logits))
        if near(val_loss, on_probabilities, LOSS_RTOL, 1e-6):
            fail("the loss treats the model's outputs as probabilities, but they are logits: "
                 "`SparseCategoricalCrossentropy` needs `from_logits=True` here (the string "
                 "\"sparse_categorical_crossentropy\" means from_logits=False).")
        fail("the compiled loss is not the cross-entropy of the integer labels on the "
             "logits: use `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`.")

    recorded = [float(v) for v in logs["val_loss"]]
    best = min(recorded)
    if not any(near(val_loss, v, LOSS_RTOL, 1e-6) for v in recorded):
        fail("the `val_loss` in `history` was not measured on `X_val, y_val`: pass "
             "`validation_data=(X_val, y_val)` (not `validation_split`).")
    if not near(val_loss, best, LOSS_RTOL, 1e-6):
        fail("`keras_model` holds the weights of its last epoch, not of its best one: give "
             "EarlyStopping `restore_best_weights=True` (and monitor `val_loss`).")

    path = Path(str(checkpoint_path))
    expect(path.is_file(),
           "there is no file at `checkpoint_path`: add "
           "`keras.callbacks.ModelCheckpoint(checkpoint_path, ...)` to the callbacks.")
    with quiet():
        saved = keras.saving.load_model(path)
        saved_loss = float(saved.evaluate(X_val, y_val, verbose=0, return_dict=True)["loss"])
    expect(near(saved_loss, best, LOSS_RTOL, 1e-6),
           "the checkpoint file does not hold the best epoch's model: give ModelCheckpoint "
           "`monitor=\"val_loss\"` and `save_best_only=True`.")
    val_accuracy = _accuracy(keras_model, X_val, y_val)
    expect(val_accuracy >= 0.9,
           f"the model reaches only {val_accuracy:.3f} validation accuracy: train for the "
           "epochs and with the learning rate the task gives.")
    return (f"{len(history.epoch)} epochs, best validation loss {best:.3g}, checkpoint "
            "restored and saved.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Three steps: `keras_model = make_model()`, `keras_model.compile(...)`, "
        "`history_2 = keras_model.fit(...)`.",
        "compile: `optimizer=keras.optimizers.Adam(LEARNING_RATE)`, "
        "`loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)`, "
        "`metrics=[\"accuracy\"]`.",
        "fit: `X_train, y_train, validation_data=(X_val, y_val), epochs=epochs, "
        "batch_size=BATCH_SIZE, verbose=0, callbacks=[keras.callbacks.EarlyStopping("
        "monitor=\"val_loss\", patience=PATIENCE, restore_best_weights=True), "
        "keras.callbacks.ModelCheckpoint(exercise_checkpoint, monitor=\"val_loss\", "
        "save_best_only=True)]`.",
    ],
)


# -- q3: reload the checkpoint and measure its test accuracy --------------------------------
def _check_q3(test_accuracy, best_model, checkpoint_path, X_train, y_train, X_val, y_val,
              X_test, y_test, quick=False) -> str:
    import keras

    expect_type(best_model, keras.Model, "best_model",
                "(the model that `keras.saving.load_model` returns)")
    with quiet():
        saved = keras.saving.load_model(Path(str(checkpoint_path)))
    same = (len(saved.get_weights()) == len(best_model.get_weights())
            and all(a.shape == b.shape and np.array_equal(a, b)
                    for a, b in zip(saved.get_weights(), best_model.get_weights(),
                                    strict=True)))
    expect(same, "`best_model` does not hold the weights saved in `checkpoint_path`: load it "
                 "with `keras.saving.load_model(checkpoint_path)`.")
    if isinstance(test_accuracy, list | tuple | np.ndarray) and np.size(test_accuracy) == 2:
        fail("`test_accuracy` holds two numbers: `evaluate` returns [loss, accuracy]; keep the "
             "accuracy only.")
    if isinstance(test_accuracy, Mapping):
        fail("`test_accuracy` is a dict; keep only its accuracy value.")
    if not isinstance(test_accuracy, np.ndarray) and type_name(test_accuracy) in {
            "Tensor", "EagerTensor", "Variable"}:
        test_accuracy = np.asarray(test_accuracy)
    value = expect_number(test_accuracy, "test_accuracy")
    if 1.0 < value <= 100.0:
        fail("`test_accuracy` is above 1: give the fraction of correct predictions, not a "
             "percentage.")
    with quiet():
        accuracies = {"test": _accuracy(best_model, X_test, y_test),
                      "train": _accuracy(best_model, X_train, y_train),
                      "validation": _accuracy(best_model, X_val, y_val)}
    right = accuracies["test"]
    tolerance = 1e-4
    if abs(value - right) > tolerance:
        if abs(value - accuracies["train"]) <= tolerance:
            fail("`test_accuracy` is the accuracy on the TRAINING set, which the model has "
                 "seen: evaluate on `X_test, y_test`.")
        if abs(value - accuracies["validation"]) <= tolerance:
            fail("`test_accuracy` is the accuracy on the VALIDATION set, which chose the best "
                 "epoch: evaluate on `X_test, y_test`.")
        fail("`test_accuracy` does not match the accuracy of `best_model` on `X_test, "
             "y_test`: use `best_model.evaluate(X_test, y_test, verbose=0)` and keep its "
             "accuracy.")
    bar = QUICK_ACCURACY_BAR if quick is True else ACCURACY_BAR
    expect(right >= bar,
           f"the reloaded model's test accuracy {right:.3f} is below the bar of {bar}: train "
           "the model with the settings the notebook gives.")
    return f"test accuracy {right:.3f} (bar {bar})."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`keras.saving.load_model(checkpoint_path)` rebuilds the whole model from the "
        "`.keras` file: architecture, weights, compile settings.",
        "`best_model.evaluate(X_test, y_test, verbose=0)` returns [loss, accuracy] because the "
        "model was compiled with `metrics=[\"accuracy\"]`.",
        "`test_loss, test_accuracy = best_model.evaluate(X_test, y_test, verbose=0)`.",
    ],
)

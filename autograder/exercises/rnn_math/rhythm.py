"""Chapter 03_rnn_math, part 2: the heart rate from R peaks, and an ECG rhythm classifier trained
by the grader on synthetic strips (probed before any training)."""

from __future__ import annotations

import functools

import numpy as np

from ...compare import PASS, Verdict, reference_figure, type_name
from ...registry import Case, Exercise, Mistake, WrongOutput
from .recurrence import _ARITHMETIC

# --- heart_rate_bpm -----------------------------------------------------------------------------

def _irregular_peaks(rng, n, fs, mean_rr_s, cv):
    rr = mean_rr_s * rng.lognormal(0.0, cv, size=n - 1)
    start = rng.uniform(0.1, 1.0)
    return np.round((start + np.concatenate([[0.0], np.cumsum(rr)])) * fs).astype(int)


def _hr_public(rng):
    yield Case((np.array([100, 350, 600, 850, 1100]), 250.0),
               label="a regular rhythm sampled at 250 Hz")
    yield Case((_irregular_peaks(rng, 12, 500.0, 0.6, 0.2), 500.0),
               label="an irregular rhythm sampled at 500 Hz")
    yield Case(([40, 290], 250), label="two R peaks given as a Python list, fs an int")


def _hr_hidden(rng):
    yield Case((np.array([300, 1300]), 1000.0), label="only two R peaks")
    yield Case(([36, 342, 648, 956, 1260], 360.0), label="indices given as a Python list")
    yield Case((_irregular_peaks(rng, 30, 1000.0, 0.45, 0.25), 1000.0),
               label="an AF-like irregular rhythm at 1000 Hz")
    yield Case((_irregular_peaks(rng, 6, 128.0, 1.4, 0.05), 128.0), label="a slow rhythm at 128 Hz")
    yield Case((_irregular_peaks(rng, 20, 50.0, 0.4, 0.1), 50), label="a fast rhythm at 50 Hz, fs an int")


HEART_RATE = Exercise(
    name="heart_rate_bpm",
    points=1,
    public_cases=_hr_public,
    hidden_cases=_hr_hidden,
    compare=_ARITHMETIC,
    time_limit=5.0,
    mistakes=[
        Mistake("no sampling frequency", lambda r, fs: 60.0 / np.mean(np.diff(r)),
                "your rate treats sample indices as seconds: divide the intervals between peaks "
                "by the sampling frequency fs to get seconds, RR = diff(r_peak_indices) / fs."),
        Mistake("beats per second", lambda r, fs: fs / np.mean(np.diff(r)),
                "your value is in beats per second; multiply by 60 for beats per minute."),
        Mistake("multiplied by fs", lambda r, fs: 60.0 / (np.mean(np.diff(r)) * fs),
                "you multiplied the sample intervals by fs; divide by fs to turn samples into "
                "seconds."),
        Mistake("peaks counted as intervals",
                lambda r, fs: 60.0 * len(r) / ((r[-1] - r[0]) / fs),
                "you counted the R peaks as beats over the span from the first to the last peak: "
                "n peaks bound only n - 1 RR intervals."),
        Mistake("mean of instantaneous rates", lambda r, fs: float(np.mean(60.0 * fs / np.diff(r))),
                "you averaged the instantaneous rates 60 / RR_k; the mean heart rate is 60 "
                "divided by the mean RR interval (beats per unit time), which differs when the "
                "rhythm is irregular."),
        Mistake("median RR", lambda r, fs: 60.0 * fs / np.median(np.diff(r)),
                "you used the median RR interval; the exercise asks for the mean."),
    ],
)


# --- build_rhythm_classifier --------------------------------------------------------------------

ECG_FS = 50.0  # Hz: the strips the classifier sees are resampled to 50 Hz
TRAIN_PER_CLASS, TEST_PER_CLASS = 80, 40
EPOCHS, BATCH_SIZE, LEARNING_RATE = 15, 32, 3e-3
PASS_MARK = 0.70  # the reference reaches 0.85 (public) and 0.86 (hidden); chance is 1 / n_classes


class ModelShapeError(WrongOutput, ValueError):
    """The learner's model takes or gives arrays of the wrong shape, or no probabilities: found by
    the probes before any training, and reported as a wrong output."""


class NotAModelError(WrongOutput, TypeError):
    """build_rhythm_classifier returned something that is not a Keras model."""


def probe_model(model, n_timesteps, n_channels, n_classes, seed=0):
    """The cheap checks, run before any training: a keras.Model, input (None, n_timesteps,
    n_channels), output (None, n_classes), and outputs that are probabilities (>= 0, rows summing
    to 1) on a few strips of noise."""
    import keras

    if not isinstance(model, keras.Model):
        raise NotAModelError(f"build_rhythm_classifier should return a keras.Model; got "
                             f"{type_name(model)}")
    expected_in = (None, n_timesteps, n_channels)
    got_in = tuple(model.input_shape) if not isinstance(model.input_shape, list) else None
    if got_in != expected_in:
        raise ModelShapeError(
            f"your model takes inputs of shape {got_in}; the ECG strips are (batch, n_timesteps, "
            f"n_channels) = {expected_in}: Keras puts time before channels")
    got_out = tuple(model.output_shape) if not isinstance(model.output_shape, list) else None
    if got_out != (None, n_classes):
        raise ModelShapeError(
            f"your model outputs shape {got_out}; expected (None, n_classes) = (None, {n_classes}):"
            f" one probability per rhythm class, so the last layer needs n_classes units")
    strips = np.random.default_rng(seed).normal(size=(8, n_timesteps, n_channels))
    # Calling the model directly (not model.predict) avoids tf.function retracing, whose warnings
    # would reach stderr, which nbgrader punishes with 0 points.
    probs = np.asarray(keras.ops.convert_to_numpy(model(strips.astype("float32"), training=False)),
                       dtype=float)
    if (not np.all(np.isfinite(probs)) or np.any(probs < -1e-6)
            or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)):
        raise ModelShapeError(
            "your model's outputs are not probabilities (each row should be >= 0 and sum to "
            "1): end with a Dense(n_classes, activation='softmax') layer")


@functools.lru_cache(maxsize=8)
def _strips(n_timesteps: int, n_classes: int, split_seed: int):
    """The seeded synthetic training and test strips of one case (X_train, y_train, X_test,
    y_test), computed once per process: a grading worker computes them for every case before it
    forks a child per submission (``warm_worker``); callers get copies."""
    from ....datasets.ecg import RHYTHMS, make_rhythm_dataset

    rhythms = RHYTHMS[:n_classes]
    duration = n_timesteps / ECG_FS
    X_train, y_train, _ = make_rhythm_dataset(TRAIN_PER_CLASS, duration, ECG_FS,
                                              seed=1000 + split_seed, rhythms=rhythms)
    X_test, y_test, _ = make_rhythm_dataset(TEST_PER_CLASS, duration, ECG_FS,
                                            seed=2000 + split_seed, rhythms=rhythms)
    return X_train, y_train, X_test, y_test


def warm_worker() -> None:
    """The strips of every case of the classifier, computed once per grading worker (about a
    second of simulation per submission otherwise)."""
    for case in CLASSIFIER.cases(hidden=True):
        n_timesteps, _n_channels, n_classes = case.args
        _strips(n_timesteps, n_classes, case.kwargs.get("split_seed", 0))


def train_and_score(fn, n_timesteps, n_channels, n_classes, split_seed=0, also_probe=()):
    """Build the learner's model, probe it (shapes, probabilities: no training yet), then train it
    for the fixed budget on a seeded synthetic training split and return its accuracy and
    per-class recall on a held-out synthetic split.

    ``also_probe`` holds other (n_timesteps, n_channels, n_classes) to build and probe the model
    with first, untrained: a public case uses it to show the kinds of model the hidden cases
    build (another strip length, another number of rhythms) without training twice.

    A model that is returned uncompiled is compiled with Adam(LEARNING_RATE) and sparse
    categorical cross-entropy. Training is seeded, so one function gives one result per split;
    the grading core memoises the reference's result per case.
    """
    import keras

    for shape in also_probe:
        keras.utils.set_random_seed(split_seed)
        try:
            probe_model(fn(*shape), *shape, seed=split_seed)
        except WrongOutput as exc:
            raise type(exc)(f"built with (n_timesteps, n_channels, n_classes) = {tuple(shape)}: "
                            f"{exc}") from None
    keras.utils.set_random_seed(split_seed)
    model = fn(n_timesteps, n_channels, n_classes)
    probe_model(model, n_timesteps, n_channels, n_classes, seed=split_seed)

    X_train, y_train, X_test, y_test = (a.copy() for a in _strips(n_timesteps, n_classes,
                                                                   split_seed))
    X_train, X_test = (np.repeat(X, n_channels, axis=2) for X in (X_train, X_test))
    if getattr(model, "optimizer", None) is None:
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                      loss="sparse_categorical_crossentropy")
    with _quiet_tensorflow():
        model.fit(X_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0, shuffle=True)
    predicted = np.asarray(keras.ops.convert_to_numpy(model(X_test, training=False))).argmax(axis=1)
    recall = np.array([float(np.mean(predicted[y_test == k] == k)) for k in range(n_classes)])
    return {"accuracy": float(np.mean(predicted == y_test)), "recall": recall}


class _quiet_tensorflow:
    """TensorFlow's Python logger writes warnings to the real stderr; mute it during training."""

    def __enter__(self):
        import logging

        self.logger = logging.getLogger("tensorflow")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)


def _accuracy_at_least(pass_mark):
    def compare(got, expected):
        """Judges the learner's score against the pass mark, whatever ``expected`` holds (the
        reference's figures come from the release bundle, and only decorate the message)."""
        if not isinstance(got, dict) or "accuracy" not in got:
            return Verdict(False, f"the training returned {type_name(got)}")
        accuracy = float(got["accuracy"])
        if accuracy >= pass_mark:
            return PASS
        recall = np.asarray(got.get("recall", []), dtype=float)
        from ....datasets.ecg import RHYTHMS

        n = max(len(recall), 1)
        missed = [RHYTHMS[k] for k in np.argsort(recall)[:2] if recall[k] < 0.5]
        chance = 1.0 / n
        reference = reference_figure(expected, "accuracy")
        reference = f"; {reference}" if reference else ""
        message = (f"accuracy {accuracy:.2f} on the held-out synthetic strips is below the pass "
                   f"mark {pass_mark:.2f} (chance is {chance:.2f}{reference})")
        if accuracy <= chance + 0.1:
            message += ("; your model is close to guessing: does it see the whole strip, or "
                        "only part of it (the last time step, say)?")
        if missed:
            message += f"; the rhythms it misses most: {', '.join(missed)}"
        return Verdict(False, message)

    compare.pass_mark = pass_mark  # type: ignore[attr-defined]
    return compare


def _classifier_public(rng):
    yield Case((300, 1, 5), {"split_seed": 1, "also_probe": [(250, 1, 4)]},
               label="6 s strips at 50 Hz, five rhythms (the model for 5 s strips of four "
                     "rhythms is built and probed too)")


def _classifier_hidden(rng):
    yield Case((250, 1, 4), {"split_seed": 2},
               label="5 s strips at 50 Hz, four rhythms (no premature beats)")


CLASSIFIER = Exercise(
    name="build_rhythm_classifier",
    points=4,
    public_cases=_classifier_public,
    hidden_cases=_classifier_hidden,
    compare=_accuracy_at_least(PASS_MARK),
    invoke=train_and_score,
    bundled_reference=True,
    parallel_cases=True,
    time_limit=120.0,
)


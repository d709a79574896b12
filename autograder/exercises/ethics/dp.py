"""Chapter 06_ethics, differential privacy: the Laplace mechanism and a DP mean, judged
statistically over many seeded calls.

Each case calls the learner's function ``DRAWS`` times with one Generator seeded by the case
(the grader's own fixed seed), standardises the noise by the scale it should have,
z = (output - true answer) / b, and summarises it: its size (mean |z - median z|), its location
(median z), its shape (share of |z - median z| beyond 3 and below 0.5) and whether the same seed
gives the same answers. Measured about the median, the size does not mix with a shift. For
Laplace(0, b): median 0 with sd 1 / sqrt(DRAWS) (1 / (2 f(0) sqrt(n)), f(0) = 1/2), mean absolute
deviation 1 with sd 1 / sqrt(DRAWS), P(|z| > 3) = e^-3 = 0.0498 and P(|z| < 0.5) = 1 - e^-0.5 =
0.393 (binomial sd). Two correct implementations drawing differently differ by a two-sample
spread, sqrt(2) times those sd; the tolerances are 5 of those (a false failure has probability
under 1e-5 per check), and every catalogued wrong scale or shape lies at least 8 of them away
(tests/test_ethics.py shows both over 100 seeded repetitions).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...compare import PASS, Verdict, type_name
from ...registry import Case, Exercise, Mistake, WrongOutput
from .common import CHAPTER  # noqa: F401  (the chapter these exercises belong to)

DRAWS = 10_000
_TWO_SAMPLE = 5 * math.sqrt(2)
TOLERANCES = {
    "size": _TWO_SAMPLE * math.sqrt(1 / DRAWS),                             # 0.071
    "location": _TWO_SAMPLE * math.sqrt(1 / DRAWS),                         # 0.071
    "tails": _TWO_SAMPLE * math.sqrt(math.exp(-3) * (1 - math.exp(-3)) / DRAWS),   # 0.015
    "centre": _TWO_SAMPLE * math.sqrt(math.exp(-0.5) * (1 - math.exp(-0.5)) / DRAWS),  # 0.035
}


def noise_summary(noise: np.ndarray, scale: float, reproducible: bool) -> dict:
    """Location, size and shape of ``noise`` in units of the Laplace scale it should have."""
    z = np.asarray(noise, dtype=float) / scale
    with np.errstate(invalid="ignore"):
        centre = np.median(z)
        spread = np.abs(z - centre)
        return {
            "reproducible": bool(reproducible),
            "size": float(np.mean(spread)),
            "location": float(centre),
            "tails": float(np.mean(spread > 3)),
            "centre": float(np.mean(spread < 0.5)),
        }


def _draws(call, seed: int) -> tuple[np.ndarray, bool]:
    rng = np.random.default_rng(seed)
    out = np.empty(DRAWS)
    for i in range(DRAWS):
        value = call(rng)
        if i == 0 and (np.ndim(value) != 0 or isinstance(value, (bool, np.bool_))
                       or not isinstance(value, (int, float, np.integer, np.floating))):
            raise WrongOutput(f"your function should return one number (a float); got "
                              f"{type_name(value)}")
        out[i] = float(value)
    again = np.random.default_rng(seed)
    reproducible = all(float(call(again)) == out[i] for i in range(5))
    return out, reproducible


def compare_noise(got: Any, expected: Any) -> Verdict:
    if not isinstance(got, dict) or set(got) != set(expected):
        return Verdict(False, "your output could not be summarised as noise")
    if got["reproducible"] != expected["reproducible"]:
        return Verdict(False, "the same seed gave different answers: draw the noise from the "
                              "Generator `rng` you are given (rng.laplace...), not from "
                              "np.random or a new Generator"
                       if not got["reproducible"] else "expected draws that ignore `rng`")
    if any(not math.isfinite(got[k]) for k in TOLERANCES):
        return Verdict(False, "some of your answers are NaN or infinite")
    if abs(got["size"] - expected["size"]) > TOLERANCES["size"]:
        return Verdict(False, f"your noise's average size is {got['size']:.3g} times the scale b "
                              "it should have; Laplace(0, b) noise has E|noise| = b")
    if abs(got["location"] - expected["location"]) > TOLERANCES["location"]:
        return Verdict(False, f"your answers are centred {got['location']:+.3g} scales away from "
                              "the true answer; they should be centred on it (median noise 0)")
    for key, what in (("tails", "beyond 3 scales"), ("centre", "within 0.5 scale")):
        if abs(got[key] - expected[key]) > TOLERANCES[key]:
            return Verdict(False, f"your noise has about the right size but the wrong shape: "
                                  f"{got[key]:.3f} of the draws lie {what} of their centre "
                                  f"(expected about {expected[key]:.3f})")
    return PASS


# --- laplace_mechanism ----------------------------------------------------------------------------

def _laplace_invoke(fn, true_value, sensitivity, epsilon, seed):
    out, reproducible = _draws(lambda rng: fn(true_value, sensitivity, epsilon, rng), seed)
    return noise_summary(out - true_value, sensitivity / epsilon, reproducible)


def _laplace_public(rng):
    yield Case((120, 1, 0.5), {"seed": 11}, label="a count of 120 patients, sensitivity 1, ε = 0.5")
    yield Case((57.3, 2.5, 2.0), {"seed": 12}, label="a sum, sensitivity 2.5, ε = 2")
    yield Case((0.0, 0.1, 0.05), {"seed": 13}, label="a small sensitivity, ε = 0.05")


def _laplace_hidden(rng):
    yield Case((3, 1, 0.1), {"seed": 21}, label="a small count, strong privacy ε = 0.1")
    yield Case((1e4, 10.0, 4.0), {"seed": 22}, label="a large sum, weak privacy")
    yield Case((-5.0, 0.5, 1.5), {"seed": 23}, label="a negative value")


LAPLACE_MECHANISM = Exercise(
    name="laplace_mechanism",
    points=1,
    public_cases=_laplace_public,
    hidden_cases=_laplace_hidden,
    compare=compare_noise,
    invoke=_laplace_invoke,
    time_limit=20.0,
    mistakes=[
        Mistake("scale ε/Δ", lambda v, s, e, rng: v + rng.laplace(0.0, e / s),
                "your noise has scale ε/Δ; the Laplace mechanism uses b = Δ/ε: more "
                "sensitivity or a smaller ε (more privacy) both mean more noise."),
        Mistake("sensitivity ignored", lambda v, s, e, rng: v + rng.laplace(0.0, 1 / e),
                "your noise has scale 1/ε whatever the sensitivity; the scale is b = Δ/ε."),
        Mistake("Gaussian", lambda v, s, e, rng: v + rng.normal(0.0, s / e),
                "your noise is Gaussian; the Laplace mechanism draws Laplace noise, whose density "
                "∝ exp(-|x| / b) has heavier tails than a normal curve (rng.laplace)."),
        Mistake("Gaussian, Laplace's variance",
                lambda v, s, e, rng: v + rng.normal(0.0, math.sqrt(2) * s / e),
                "your noise is Gaussian; the Laplace mechanism draws Laplace noise, whose density "
                "∝ exp(-|x| / b) has heavier tails than a normal curve (rng.laplace)."),
        Mistake("noise only", lambda v, s, e, rng: rng.laplace(0.0, s / e),
                "you returned the noise alone; the mechanism releases the true value plus noise."),
        Mistake("one-sided", lambda v, s, e, rng: v + rng.exponential(s / e),
                "your noise is never negative (exponential); Laplace noise is symmetric around "
                "0: a difference of two exponentials, or rng.laplace."),
        Mistake("global generator", lambda v, s, e, rng: v + np.random.laplace(0.0, s / e),
                "you drew from np.random instead of the Generator `rng` you were given, so a "
                "release cannot be reproduced or audited from its seed."),
    ],
)


# --- dp_mean --------------------------------------------------------------------------------------

def _dp_mean_invoke(fn, values, lower, upper, epsilon, seed):
    out, reproducible = _draws(lambda rng: fn(values, lower, upper, epsilon, rng), seed)
    clipped = np.clip(np.asarray(values, dtype=float), lower, upper)
    scale = (upper - lower) / (clipped.size * epsilon)
    return noise_summary(out - clipped.mean(), scale, reproducible)


def _radius():
    from ....datasets.tables import load_breast_cancer

    return load_breast_cancer()["mean radius"].to_numpy()


def _lengths_of_stay(rng, n):
    return np.round(rng.lognormal(1.3, 0.8, n), 1)


def _dp_mean_public(rng):
    yield Case((np.array([130.0]), 0.0, 100.0, 1.0), {"seed": 31},
               label="one patient, whose value lies above the upper bound")
    yield Case((_lengths_of_stay(rng, 50).tolist(), 1.0, 10.0, 0.5), {"seed": 32},
               label="Python list: 50 lengths of stay (days), bounds [1, 10], ε = 0.5")
    yield Case((_radius(), 8.0, 20.0, 1.0), {"seed": 33},
               label="569 tumour radii (mm, Breast Cancer Wisconsin), bounds [8, 20]")


def _dp_mean_hidden(rng):
    yield Case((_lengths_of_stay(rng, 200), 0.0, 14.0, 0.2), {"seed": 41},
               label="200 lengths of stay, strong privacy")
    yield Case((_radius()[:100].tolist(), 10.0, 18.0, 2.0), {"seed": 42},
               label="Python list, 100 radii, narrow bounds")
    yield Case((np.array([-3.0]), -1.0, 1.0, 0.5), {"seed": 43},
               label="one value below the lower bound")


_held: list = [None, None]  # the last case's values, and what _stats computed from them


def _stats(values, lower, upper) -> dict:
    """The clipped mean, plain mean, size and range of ``values``. The mistakes below are called
    ``DRAWS`` times per case with the same ``values``: computed once per case, the same floats."""
    if _held[0] is not values or _held[1]["bounds"] != (lower, upper):
        array = np.asarray(values, dtype=float)
        _held[:] = [values, {"bounds": (lower, upper), "clipped": np.clip(array, lower, upper).mean(),
                             "mean": array.mean(), "size": array.size, "range": np.ptp(array)}]
    return _held[1]


def _mean_with(values, lower, upper, epsilon, rng, clip=True, scale=None, noise="laplace"):
    stats = _stats(values, lower, upper)
    mean = stats["clipped"] if clip else stats["mean"]
    b = (upper - lower) / (stats["size"] * epsilon) if scale is None else scale
    draw = rng.normal if noise == "normal" else rng.laplace
    return mean + draw(0.0, b)


DP_MEAN = Exercise(
    name="dp_mean",
    points=2,
    public_cases=_dp_mean_public,
    hidden_cases=_dp_mean_hidden,
    compare=compare_noise,
    invoke=_dp_mean_invoke,
    time_limit=20.0,
    mistakes=[
        Mistake("no clipping", lambda v, lo, up, e, rng: _mean_with(v, lo, up, e, rng, clip=False),
                "you did not clip the values to [lower, upper]: without clipping one patient can "
                "move the mean without bound, so no finite noise protects them."),
        Mistake("sensitivity not divided by n",
                lambda v, lo, up, e, rng: _mean_with(v, lo, up, e, rng,
                                                     scale=(up - lo) / e),
                "your noise scale is (upper - lower) / ε; the mean of n clipped values moves by "
                "at most (upper - lower) / n when one patient changes, so b = (upper - lower) / "
                "(n ε)."),
        Mistake("scale inverted",
                lambda v, lo, up, e, rng: _mean_with(v, lo, up, e, rng,
                                                     scale=len(v) * e / (up - lo)),
                "your noise scale is ε/Δ; the Laplace mechanism uses b = Δ/ε with Δ = (upper - "
                "lower) / n."),
        Mistake("data range",
                lambda v, lo, up, e, rng: _mean_with(v, lo, up, e, rng,
                                                     scale=_stats(v, lo, up)["range"] / (len(v) * e)),
                "your noise scale uses the range of the data; the sensitivity must not depend "
                "on the data (that itself leaks it): use the public bounds, (upper - lower) / n."),
        Mistake("Gaussian", lambda v, lo, up, e, rng: _mean_with(v, lo, up, e, rng, noise="normal"),
                "your noise is Gaussian; use Laplace noise (rng.laplace), whose heavier tails are "
                "what ε-differential privacy needs."),
        Mistake("noise per value",
                lambda v, lo, up, e, rng: float(np.mean(np.clip(np.asarray(v, float), lo, up)
                                                        + rng.laplace(0.0, (up - lo) / e, len(v)))),
                "you added noise to every value and then averaged (local privacy), which gives "
                "noise of a different size and shape; add one Laplace draw to the clipped mean."),
        Mistake("global generator",
                lambda v, lo, up, e, rng: _mean_with(v, lo, up, e, np.random),
                "you drew from np.random instead of the Generator `rng` you were given, so a "
                "release cannot be reproduced or audited from its seed."),
    ],
)

"""Chapter 04_imaging, detect: lung-nodule candidates on seeded CT phantoms, judged by sensitivity
and false positives per slice (distances in millimetres), not by equality with the reference."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ...compare import PASS, Verdict, type_name
from ...registry import Case, Exercise, WrongOutput
from .. import read_only

CHAPTER = "04_imaging"

# Pass marks, set from the reference's own figures on the grading phantoms (sensitivity, false
# positives per slice): public cases 1.00 / 0.33 and 1.00 / 0.00, hidden cases 1.00 / 0.17 and
# 1.00 / 0.75; over 140 phantom slices (0.7 to 3 mm) 0.998 / 0.40. The marks leave room for other
# sound detectors while every catalogued mistake falls below them.
PASS_SENSITIVITY = 0.85
PASS_FP_PER_SLICE = 1.0
COARSE_MM = 2.0  # phantoms with a spacing this coarse or coarser are reported separately


@functools.lru_cache(maxsize=32)
def _phantom(seed: int, row_mm: float, col_mm: float, d_low: float, d_high: float) -> dict:
    """One phantom slice, computed once per process (a grading worker computes every case's before
    it forks a child per submission: ``warm_worker``); its arrays are read-only, the learner's
    function gets a copy of the image."""
    from ....datasets.phantoms import make_ct_phantom

    return read_only(make_ct_phantom(seed, (row_mm, col_mm), nodule_diameter_mm=(d_low, d_high)))


def warm_worker() -> None:
    """The phantom slices of every case of the detector, computed once per grading worker."""
    for case in DETECT_NODULES.cases(hidden=True):
        for row in case.args[0]:
            _phantom(*_phantom_key(row))


def _phantom_key(row) -> tuple[int, float, float, float, float]:
    seed, row_mm, col_mm, d_low, d_high = row
    return int(seed), float(row_mm), float(col_mm), float(d_low), float(d_high)


def score_detector(fn, phantoms, min_diameter_mm=4.0, max_diameter_mm=30.0) -> dict[str, Any]:
    """Run ``fn`` on every phantom of the case and add up how its candidates score.

    ``phantoms`` is plain data: rows (seed, row_mm, col_mm, smallest nodule mm, largest nodule mm).
    """
    from ....datasets.phantoms import score_detections

    totals = {"found": 0.0, "n_nodules": 0.0, "false_positives": 0.0, "fp_small_blobs": 0.0,
              "fp_vessels": 0.0, "coarse_found": 0.0, "coarse_nodules": 0.0,
              "swapped_found": 0.0, "slices": 0.0}
    for row in phantoms:
        _, row_mm, col_mm, _, _ = key = _phantom_key(row)
        phantom = _phantom(*key)
        spacing = float(row_mm) if row_mm == col_mm else (float(row_mm), float(col_mm))
        candidates = fn(phantom["hu"].copy(), spacing, min_diameter_mm, max_diameter_mm)
        if not isinstance(candidates, np.ndarray):
            raise WrongOutput(f"detect_nodules should return a NumPy array of shape (K, 2); got "
                              f"{type_name(candidates)}")
        if candidates.ndim != 2 or candidates.shape[1] != 2:
            raise WrongOutput(
                f"detect_nodules returned shape {candidates.shape}; expected (K, 2): one (row, col) "
                "centre per candidate (blob_log's rows are (row, col, sigma): drop the sigma), "
                "and shape (0, 2) when there is none")
        if candidates.dtype.kind not in "fiu" or not np.all(np.isfinite(candidates)):
            raise WrongOutput("detect_nodules returned non-numeric or non-finite centres")
        score = score_detections(candidates, phantom)
        swapped = score_detections(candidates[:, ::-1], phantom)
        for key in ("found", "n_nodules", "false_positives", "fp_small_blobs", "fp_vessels"):
            totals[key] += score[key]
        totals["swapped_found"] += swapped["found"]
        totals["slices"] += 1
        if max(row_mm, col_mm) >= COARSE_MM:
            totals["coarse_found"] += score["found"]
            totals["coarse_nodules"] += score["n_nodules"]
    return totals


def _rates(totals: dict[str, Any]) -> tuple[float, float, float]:
    sensitivity = totals["found"] / max(totals["n_nodules"], 1.0)
    coarse = totals["coarse_found"] / max(totals["coarse_nodules"], 1.0)
    return sensitivity, coarse, totals["false_positives"] / max(totals["slices"], 1.0)


def _judge_detector(got: Any, expected: Any) -> Verdict:
    if not isinstance(got, dict) or "found" not in got:
        return Verdict(False, f"the scoring returned {type_name(got)}")
    sensitivity, coarse, fp = _rates(got)
    if sensitivity >= PASS_SENSITIVITY and coarse >= PASS_SENSITIVITY and fp <= PASS_FP_PER_SLICE:
        return PASS
    ref_sens, _, ref_fp = _rates(expected) if isinstance(expected, dict) else (float("nan"),) * 3
    message = (f"sensitivity {sensitivity:.2f} ({coarse:.2f} on slices with spacing >= "
               f"{COARSE_MM:g} mm) with {fp:.2f} false positives per slice; the pass marks are "
               f"sensitivity >= {PASS_SENSITIVITY:.2f} at every spacing and <= "
               f"{PASS_FP_PER_SLICE:.2f} false positives per slice (the reference: "
               f"{ref_sens:.2f} and {ref_fp:.2f})")
    notes = []
    swapped = got["swapped_found"] / max(got["n_nodules"], 1.0)
    if swapped >= sensitivity + 0.3:
        notes.append("your centres find the nodules once their two columns are swapped: return "
                     "(row, col), array order, not (x, y)")
    fine = ((got["found"] - got["coarse_found"])
            / max(got["n_nodules"] - got["coarse_nodules"], 1.0))
    if coarse < PASS_SENSITIVITY <= fine + 0.1 or got["fp_small_blobs"] > 0.25 * got["slices"]:
        notes.append("the sizes look measured in pixels, not millimetres: on coarse grids you "
                     "miss small nodules and on fine grids you accept blobs smaller than "
                     "min_diameter_mm. Convert with the spacing: a diameter d mm spans d / "
                     "spacing pixels along each axis (sigma = d / (2·sqrt(2)·spacing))")
    if got["fp_vessels"] > 0.5 * got["slices"]:
        notes.append("most false positives sit on vessels, the classic false positive: a vessel "
                     "is bright and long, a nodule round; reject elongated candidates")
    if got["false_positives"] - got["fp_small_blobs"] - got["fp_vessels"] > 0.5 * got["slices"]:
        notes.append("many false positives are on neither a vessel nor a blob (chest wall, "
                     "outside the body?): look for nodules inside the lungs only")
    if notes:
        message += ". " + "; ".join(notes)
    return Verdict(False, message)


def _phantoms(seeds, spacings, diameters=(6.0, 20.0)):
    return [[int(s), float(sp[0]), float(sp[1]), float(diameters[0]), float(diameters[1])]
            for s, sp in zip(seeds, spacings)]


_SPACINGS = [(0.7, 0.7), (1.0, 1.0), (1.5, 1.5), (2.0, 2.0), (2.5, 2.5), (0.7, 2.0)]


def _detect_public(rng):
    yield Case((_phantoms(range(100, 106), _SPACINGS),),
               label="6 phantom slices, spacings 0.7 to 2.5 mm (one anisotropic), nodules 6-20 mm")
    yield Case((_phantoms(range(110, 114), [(0.7, 0.7), (2.0, 2.0), (2.5, 2.5), (3.0, 3.0)],
                          (6.0, 12.0)),),
               label="4 slices with small nodules (6-12 mm), coarse spacings up to 3 mm")


def _detect_hidden(rng):
    yield Case((_phantoms(range(200, 206), _SPACINGS),), label="6 more phantom slices")
    yield Case((_phantoms(range(220, 224), [(0.8, 0.8), (2.0, 2.0), (2.5, 2.5), (3.0, 3.0)],
                          (6.0, 12.0)),), label="4 more slices with small nodules")


DETECT_NODULES = Exercise(
    name="detect_nodules",
    points=3,
    public_cases=_detect_public,
    hidden_cases=_detect_hidden,
    compare=_judge_detector,
    invoke=score_detector,
    time_limit=60.0,
)

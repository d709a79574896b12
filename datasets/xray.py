"""Seeded synthetic chest-X-ray-like images (28 x 28) with patient ids, several images per patient,
class imbalance, and an optional shortcut: a "scanner tag" whose presence correlates with the label."""

from __future__ import annotations

import numpy as np

IMAGE_SIZE = 28


def make_chest_xrays(
    n_patients: int = 300,
    seed: int = 0,
    prevalence: float = 0.3,
    images_per_patient: tuple[int, int] = (1, 4),
    shortcut: float = 0.0,
) -> dict[str, np.ndarray]:
    """Chest-X-ray-like images, some with pneumonia-like opacities, grouped by patient.

    Parameters
    ----------
    n_patients : number of patients; each has between ``images_per_patient[0]`` and
        ``images_per_patient[1]`` images (inclusive), taken on different days.
    seed : seeds everything drawn.
    prevalence : probability that a patient has pneumonia (the label is per patient: every image
        of a patient carries it).
    images_per_patient : (fewest, most) images per patient.
    shortcut : in [0, 1]. A scanner tag (a bright 3 x 3 square in the top right corner) is drawn
        on every image of a patient with probability 0.5 + shortcut / 2 when the patient has
        pneumonia and 0.5 - shortcut / 2 otherwise: 0 makes it useless, 1 gives it the label.

    Returns
    -------
    dict with
        ``images`` : float32 (N, 28, 28, 1) in [0, 1] (Keras NHWC, bright = dense tissue).
        ``labels`` : int64 (N,), 1 = pneumonia-like opacity, 0 = clear lungs.
        ``patient_ids`` : int64 (N,), the same id for every image of one patient.
        ``scanner_tag`` : int64 (N,), 1 when the tag is drawn.
    """
    if not 0.0 <= shortcut <= 1.0:
        raise ValueError(f"shortcut must lie in [0, 1]; got {shortcut!r}")
    if not 0.0 <= prevalence <= 1.0:
        raise ValueError(f"prevalence must lie in [0, 1]; got {prevalence!r}")
    lo, hi = images_per_patient
    if not 1 <= lo <= hi:
        raise ValueError(f"images_per_patient must be (fewest, most) with 1 <= fewest <= most; "
                         f"got {images_per_patient!r}")
    rng = np.random.default_rng(seed)
    grid = (np.arange(IMAGE_SIZE) + 0.5) / IMAGE_SIZE * 2 - 1
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    images, labels, patients, tags = [], [], [], []
    for patient in range(n_patients):
        sick = rng.random() < prevalence
        tag = rng.random() < (0.5 + shortcut / 2 if sick else 0.5 - shortcut / 2)
        anatomy = {
            "width": rng.uniform(0.78, 0.92), "lung_w": rng.uniform(0.24, 0.32),
            "lung_h": rng.uniform(0.5, 0.65), "lung_x": rng.uniform(0.34, 0.42),
            "rib_freq": rng.uniform(9.0, 12.0), "rib_phase": rng.uniform(0, 2 * np.pi),
            "heart": rng.uniform(0.12, 0.2),
        }
        # Where the disease sits is a property of the patient; each image shows it a little moved.
        n_patches = rng.integers(1, 3)
        patches = [(rng.choice([-1, 1]), rng.uniform(-0.1, 0.45), rng.uniform(0.1, 0.2),
                    rng.uniform(0.12, 0.3)) for _ in range(n_patches)]
        for _ in range(rng.integers(lo, hi + 1)):
            image = _draw_chest(rng, yy, xx, anatomy)
            if sick:
                for side, row, size, strength in patches:
                    cx = side * anatomy["lung_x"] + rng.normal(0, 0.04)
                    cy = row + rng.normal(0, 0.04)
                    blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * size ** 2))
                    image += strength * rng.uniform(0.7, 1.2) * blob * _lungs(yy, xx, anatomy)
            if tag:
                image[1:4, IMAGE_SIZE - 4:IMAGE_SIZE - 1] = 1.0
            images.append(np.clip(image, 0.0, 1.0))
            labels.append(int(sick))
            patients.append(patient)
            tags.append(int(tag))
    return {
        "images": np.asarray(images, dtype=np.float32)[..., None],
        "labels": np.asarray(labels, dtype=np.int64),
        "patient_ids": np.asarray(patients, dtype=np.int64),
        "scanner_tag": np.asarray(tags, dtype=np.int64),
    }


def _lungs(yy, xx, a):
    left = ((xx + a["lung_x"]) / a["lung_w"]) ** 2 + ((yy - 0.02) / a["lung_h"]) ** 2
    right = ((xx - a["lung_x"]) / a["lung_w"]) ** 2 + ((yy - 0.02) / a["lung_h"]) ** 2
    return np.clip(1.2 - np.minimum(left, right), 0.0, 1.0) ** 0.5


def _draw_chest(rng, yy, xx, a):
    """One exposure of a patient's chest: body, dark lungs, ribs, heart, exposure and noise."""
    dy, dx = rng.normal(0, 0.03, size=2)
    y, x = yy - dy, xx - dx
    body = (np.abs(x) < a["width"]).astype(float) * 0.65
    lungs = _lungs(y, x, a)
    image = body - 0.42 * lungs
    image += 0.06 * lungs * (np.sin(a["rib_freq"] * y + a["rib_phase"] + 1.5 * np.abs(x)) > 0.4)
    image += 0.2 * np.exp(-((y - 0.25) ** 2 / 0.08 + (x + 0.05) ** 2 / (2 * a["heart"] ** 2)))
    gain, offset = rng.uniform(0.85, 1.15), rng.uniform(-0.06, 0.06)
    return gain * image + offset + rng.normal(0, 0.035, size=image.shape)


def patient_split(
    patient_ids: np.ndarray, test_fraction: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of a split that keeps every patient's images on one side.

    Parameters
    ----------
    patient_ids : int (N,), one id per image.
    test_fraction : fraction of the *patients* put in the test side.
    seed : seeds the choice of patients.
    """
    ids = np.asarray(patient_ids)
    patients = np.unique(ids)
    rng = np.random.default_rng(seed)
    n_test = int(round(test_fraction * len(patients)))
    test_patients = rng.choice(patients, size=n_test, replace=False)
    in_test = np.isin(ids, test_patients)
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)

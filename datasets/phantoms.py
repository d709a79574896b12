"""Seeded synthetic CT slices of the chest with lung nodules of known size, and how a list of
candidate centres scores against them (sensitivity, false positives per slice, in millimetres)."""

from __future__ import annotations

import numpy as np

AIR_HU, LUNG_HU, TISSUE_HU, NODULE_HU, VESSEL_HU = -1000.0, -850.0, 40.0, 20.0, 40.0
FIELD_OF_VIEW_MM = 256.0
_FINE_MM = 0.75  # the phantom is drawn on a grid this fine, then averaged down (partial volume)


def make_ct_phantom(
    seed: int,
    spacing_mm: float | tuple[float, float] = 1.0,
    n_nodules: int = 3,
    n_vessels: int = 6,
    n_small_blobs: int = 3,
    nodule_diameter_mm: tuple[float, float] = (6.0, 20.0),
    noise_hu: float = 20.0,
) -> dict[str, np.ndarray]:
    """One axial CT slice (HU) of a chest phantom: body, two lungs, vessels, nodules, small blobs.

    Parameters
    ----------
    seed : seeds everything drawn (positions, sizes, noise).
    spacing_mm : pixel spacing, a float or (row_mm, col_mm). The field of view is always
        256 mm x 256 mm, so coarse spacings give small images (2 mm -> 128 x 128 pixels).
    n_nodules : solid nodules (discs of NODULE_HU), diameters drawn uniformly in
        ``nodule_diameter_mm``, fully inside a lung and at least 4 mm from every vessel.
    n_vessels : in-plane vessel segments (15-45 mm long, 2-4 mm wide): elongated, not nodules.
    n_small_blobs : bright dots of 1.5-3 mm (vessels cut across, tiny granulomas): not nodules.
    noise_hu : standard deviation of the (slightly correlated) Gaussian noise, in HU.

    Returns
    -------
    dict with
        ``hu`` : float64 (H, W), Hounsfield units, each pixel the mean over its area (partial volume).
        ``spacing_mm`` : float64 (2,), (row_mm, col_mm).
        ``nodules`` : float64 (n_nodules, 3), (row, col) centre in pixel coordinates and diameter in mm.
        ``small_blobs`` : float64 (n_small_blobs, 3), same layout.
        ``vessels`` : float64 (n_vessels, 5), (row0, col0, row1, col1) in pixels and width in mm.
    Pixel (i, j) covers the square whose centre lies at ((i + 0.5) * row_mm, (j + 0.5) * col_mm).
    """
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    spacing = np.broadcast_to(np.asarray(spacing_mm, dtype=np.float64), (2,)).copy()
    if np.any(spacing <= 0):
        raise ValueError(f"spacing_mm must be positive; got {spacing_mm!r}")
    shape = tuple(int(round(FIELD_OF_VIEW_MM / s)) for s in spacing)
    factor = [max(1, int(np.ceil(s / _FINE_MM))) for s in spacing]
    fine_step = spacing / factor
    ys = (np.arange(shape[0] * factor[0]) + 0.5) * fine_step[0]
    xs = (np.arange(shape[1] * factor[1]) + 0.5) * fine_step[1]
    yy, xx = np.meshgrid(ys, xs, indexing="ij")

    c = FIELD_OF_VIEW_MM / 2
    image = np.full(yy.shape, AIR_HU)
    body = ((yy - c) / 95.0) ** 2 + ((xx - c) / 120.0) ** 2 <= 1.0
    image[body] = TISSUE_HU
    lungs = []
    for side in (-1, 1):
        centre = (c - 5.0, c + side * 52.0)
        semi = (70.0 + rng.uniform(-5, 5), 40.0 + rng.uniform(-4, 4))
        lungs.append((centre, semi))
        inside = ((yy - centre[0]) / semi[0]) ** 2 + ((xx - centre[1]) / semi[1]) ** 2 <= 1.0
        image[inside] = LUNG_HU

    def inside_lung(y, x, margin):
        for (cy, cx), (sy, sx) in lungs:
            if ((y - cy) / (sy - margin)) ** 2 + ((x - cx) / (sx - margin)) ** 2 <= 1.0:
                return True
        return False

    def random_lung_point(margin):
        while True:
            y, x = rng.uniform(c - 80, c + 70), rng.uniform(c - 95, c + 95)
            if inside_lung(y, x, margin):
                return y, x

    vessels = []
    for _ in range(n_vessels):
        while True:
            y0, x0 = random_lung_point(6.0)
            angle, length = rng.uniform(0, np.pi), rng.uniform(15.0, 45.0)
            y1, x1 = y0 + length * np.sin(angle), x0 + length * np.cos(angle)
            if inside_lung(y1, x1, 6.0):
                break
        width = rng.uniform(2.0, 4.0)
        vessels.append((y0, x0, y1, x1, width))
        d = _distance_to_segment(yy, xx, y0, x0, y1, x1)
        image[d <= width / 2] = VESSEL_HU

    def far_from_vessels(y, x, radius):
        return all(_distance_to_segment(np.array(y), np.array(x), *v[:4]) > radius + v[4] / 2 + 4.0
                   for v in vessels)

    nodules = []
    for _ in range(n_nodules):
        diameter = rng.uniform(*nodule_diameter_mm)
        for _attempt in range(200):
            y, x = random_lung_point(diameter / 2 + 4.0)
            apart = all(np.hypot(y - n[0], x - n[1]) > (diameter + n[2]) / 2 + 8.0 for n in nodules)
            if apart and far_from_vessels(y, x, diameter / 2):
                break
        nodules.append((y, x, diameter))
        image[(yy - y) ** 2 + (xx - x) ** 2 <= (diameter / 2) ** 2] = NODULE_HU

    blobs = []
    for _ in range(n_small_blobs):
        diameter = rng.uniform(1.5, 3.0)
        for _attempt in range(200):
            y, x = random_lung_point(4.0)
            if all(np.hypot(y - n[0], x - n[1]) > n[2] / 2 + 8.0 for n in nodules):
                break
        blobs.append((y, x, diameter))
        image[(yy - y) ** 2 + (xx - x) ** 2 <= (diameter / 2) ** 2] = VESSEL_HU + 60.0

    # Partial volume: each pixel is the mean of the fine samples it covers.
    hu = image.reshape(shape[0], factor[0], shape[1], factor[1]).mean(axis=(1, 3))
    noise = ndimage.gaussian_filter(rng.normal(size=shape), 0.7)
    hu = hu + noise * (noise_hu / max(float(noise.std()), 1e-12))

    def to_pixels(items, n_cols):
        arr = np.asarray(items, dtype=np.float64).reshape(-1, n_cols)
        arr[:, 0] = arr[:, 0] / spacing[0] - 0.5
        arr[:, 1] = arr[:, 1] / spacing[1] - 0.5
        if n_cols == 5:
            arr[:, 2] = arr[:, 2] / spacing[0] - 0.5
            arr[:, 3] = arr[:, 3] / spacing[1] - 0.5
        return arr

    return {
        "hu": hu,
        "spacing_mm": spacing,
        "nodules": to_pixels(nodules, 3),
        "small_blobs": to_pixels(blobs, 3),
        "vessels": to_pixels(vessels, 5),
    }


def _distance_to_segment(yy, xx, y0, x0, y1, x1):
    """Distance (mm) from points (yy, xx) to the segment (y0, x0)-(y1, x1)."""
    dy, dx = y1 - y0, x1 - x0
    t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / (dy * dy + dx * dx), 0.0, 1.0)
    return np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx))


def score_detections(candidates: np.ndarray, phantom: dict[str, np.ndarray]) -> dict[str, float]:
    """How candidate centres (K, 2), (row, col) in pixels, score against a phantom's nodules.

    Distances are in millimetres. A nodule is found when some candidate lies within its radius;
    a candidate within no nodule's radius is a false positive (extra candidates on a found nodule
    are ignored). False positives are also counted by what they sit on: a small blob (within
    2 mm of one), a vessel (within 2 mm of one), or elsewhere.

    Returns
    -------
    dict with ``found``, ``n_nodules``, ``false_positives``, ``fp_small_blobs``, ``fp_vessels``
    (counts, as floats) and ``found_mask`` (float64 0/1 per nodule, in the order of
    ``phantom["nodules"]``).
    """
    spacing = np.asarray(phantom["spacing_mm"], dtype=np.float64)
    cand = np.asarray(candidates, dtype=np.float64).reshape(-1, 2) * spacing
    nodules = phantom["nodules"]
    centres = nodules[:, :2] * spacing
    radii = nodules[:, 2] / 2
    if len(cand) and len(centres):
        dist = np.linalg.norm(cand[:, None, :] - centres[None, :, :], axis=2)
        hits = dist <= radii[None, :]
    else:
        hits = np.zeros((len(cand), len(centres)), dtype=bool)
    found = hits.any(axis=0)
    false = ~hits.any(axis=1) if len(cand) else np.zeros(0, dtype=bool)
    blobs = phantom["small_blobs"]
    near_blob = np.zeros(len(cand), dtype=bool)
    if len(blobs) and len(cand):
        d = np.linalg.norm(cand[:, None, :] - (blobs[:, :2] * spacing)[None], axis=2)
        near_blob = (d <= blobs[None, :, 2] / 2 + 2.0).any(axis=1)
    near_vessel = np.zeros(len(cand), dtype=bool)
    for v in phantom["vessels"]:
        d = _distance_to_segment(cand[:, 0], cand[:, 1], v[0] * spacing[0], v[1] * spacing[1],
                                 v[2] * spacing[0], v[3] * spacing[1])
        near_vessel |= d <= v[4] / 2 + 2.0
    return {
        "found": float(found.sum()),
        "n_nodules": float(len(centres)),
        "false_positives": float(false.sum()),
        "fp_small_blobs": float((false & near_blob).sum()),
        "fp_vessels": float((false & near_vessel & ~near_blob).sum()),
        "found_mask": found.astype(np.float64),
    }

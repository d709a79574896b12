"""Chapter 04_imaging, acquire and preprocess: Hounsfield units, windows, voxel to world mm."""

from __future__ import annotations

import numpy as np

from ...compare import allclose
from ...registry import Case, Exercise, Mistake, reference

CHAPTER = "04_imaging"


def _ct_small_stored() -> np.ndarray:
    """The stored values of pydicom's CT_small.dcm (int16, 128 x 128), read from the installed
    package (the grading machine and the learner's both have pydicom)."""
    from ....datasets.images import load_ct_stored

    return load_ct_stored()[0]


# --- to_hounsfield ------------------------------------------------------------------------------

# Public cases use a 32 x 64 crop of the real slice: their expected outputs are written into the
# release bundle, which should not carry a copy of the whole image.
_CROP = (slice(32, 64), slice(0, 64))


def _hu_public(rng):
    yield Case((_ct_small_stored()[_CROP], 1.0, -1024.0), label="CT_small.dcm (a 32 x 64 crop): "
               "int16 stored values, slope 1, intercept -1024")
    yield Case((rng.integers(0, 3000, size=(2, 6, 5)).astype(np.uint16), 1, -1024),
               label="a uint16 volume (2 slices), values below and above 1024, integer slope "
                     "and intercept")
    yield Case((rng.integers(0, 256, size=(4, 4)).astype(np.uint8), 2.5, -100.0),
               label="uint8 stored values, slope 2.5")


def _hu_hidden(rng):
    yield Case((_ct_small_stored(), 1.0, -1024.0), label="CT_small.dcm, the whole slice")
    yield Case((rng.integers(0, 4096, size=(3, 8, 8)).astype(np.uint16), 1, -1024),
               label="a uint16 volume of 3 slices")
    yield Case((rng.integers(-2000, 3000, size=(5, 7)).astype(np.int16), 0.5, -1000.0),
               label="int16 stored values, slope 0.5")
    yield Case((np.array([[0]], dtype=np.uint16), 1, -1024), label="one pixel of value 0")
    yield Case((rng.integers(0, 256, size=(9,)).astype(np.uint8), 4, -1024),
               label="uint8, integer slope 4")


def _in_stored_type(pixels, slope, intercept):
    dtype = np.asarray(pixels).dtype
    with np.errstate(all="ignore"):
        scaled = pixels * np.asarray(slope).astype(dtype) + np.asarray(intercept).astype(dtype)
    return np.asarray(scaled, dtype=dtype).astype(np.float64)


TO_HOUNSFIELD = Exercise(
    name="to_hounsfield",
    points=1,
    public_cases=_hu_public,
    hidden_cases=_hu_hidden,
    compare=allclose(rtol=1e-12, atol=1e-9),
    time_limit=5.0,
    advice="convert the stored values to float64 first, then multiply by the slope and add the "
           "intercept.",
    mistakes=[
        Mistake("stored type", _in_stored_type,
                "your values wrapped around: the arithmetic was done in the stored integer type "
                "(uint16 cannot hold -1024, uint8 cannot hold 255 x 2.5). Convert the stored "
                "values to float64 before scaling."),
        Mistake("intercept first", lambda p, s, b: (p.astype(np.float64) + b) * s,
                "you added the intercept before scaling: HU = stored x RescaleSlope + "
                "RescaleIntercept (the slope multiplies the stored value only)."),
        Mistake("swapped", lambda p, s, b: p.astype(np.float64) * b + s,
                "slope and intercept are swapped: the slope multiplies, the intercept is added."),
        Mistake("no slope", lambda p, s, b: p.astype(np.float64) + b,
                "your values ignore RescaleSlope: it is 1 for many CT scanners but not all "
                "(this case's slope is not 1)."),
        Mistake("stored dtype kept", lambda p, s, b: (p.astype(np.float64) * s + b).astype(p.dtype),
                "you returned the stored integer type: Hounsfield units are float64 values "
                "(negative, and fractional when the slope is)."),
    ],
)


# --- window_image -------------------------------------------------------------------------------

def _ct_hu() -> np.ndarray:
    return _ct_small_stored().astype(np.float64) - 1024.0


def _window_public(rng):
    yield Case((np.array([-1200.0, -600.0, -350.0, 0.0, 40.0, 150.0, 500.0]), 40.0, 400.0),
               label="seven HU values, mediastinal window (centre 40, width 400)")
    yield Case((_ct_hu()[_CROP], -600.0, 1500.0),
               label="CT_small.dcm (a 32 x 64 crop), lung window (-600, 1500)")
    yield Case((rng.integers(-1000, 2000, size=(2, 5, 6)).astype(np.int16), 400, 1800),
               label="an int16 HU volume, bone window (400, 1800), integer centre and width")


def _window_hidden(rng):
    yield Case((_ct_hu(), 40.0, 400.0), label="CT_small.dcm, mediastinal window")
    yield Case((rng.normal(0, 500, size=(3, 4, 4)), 50.0, 10.0), label="a narrow window on a volume")
    yield Case((np.array([[-1000.0]]), -1000.0, 2.0), label="one pixel at the window's centre")
    yield Case((rng.integers(-1024, 3000, size=(7,)).astype(np.int16), 300, 1500),
               label="int16 values, wide window")


def _window_width_each_side(hu, c, w):
    return np.clip((np.asarray(hu, np.float64) - (c - w)) / (2 * w), 0.0, 1.0)


WINDOW_IMAGE = Exercise(
    name="window_image",
    points=1,
    public_cases=_window_public,
    hidden_cases=_window_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("width each side", _window_width_each_side,
                "your window spans centre ± width, twice too wide: the window runs from "
                "centre - width/2 to centre + width/2."),
        Mistake("width each side, divided by width",
                lambda hu, c, w: np.clip((np.asarray(hu, np.float64) - (c - w)) / w, 0.0, 1.0),
                "your window starts at centre - width: the lower edge is centre - width/2 "
                "(the window is `width` HU wide in all)."),
        Mistake("no clipping", lambda hu, c, w: (np.asarray(hu, np.float64) - (c - w / 2)) / w,
                "values outside the window are not clipped: everything below the window is 0 "
                "(black), everything above is 1 (white)."),
        Mistake("divided by half width",
                lambda hu, c, w: np.clip((np.asarray(hu, np.float64) - (c - w / 2)) / (w / 2), 0, 1),
                "you divided by width/2: the window is `width` HU wide, so divide by width to "
                "map it onto [0, 1]."),
        Mistake("0-255", lambda hu, c, w: 255 * reference(CHAPTER, "window_image")(hu, c, w),
                "your values run from 0 to 255; return them in [0, 1] (display software scales "
                "to grey levels itself)."),
    ],
)


# --- voxel_to_world -----------------------------------------------------------------------------

def _anatomical_affine() -> np.ndarray:
    from ....datasets.images import load_anatomical

    return load_anatomical()[1]


def _oblique_affine(rng) -> np.ndarray:
    from scipy.spatial.transform import Rotation

    rotation = Rotation.from_euler("xyz", rng.uniform(-0.5, 0.5, size=3)).as_matrix()
    affine = np.eye(4)
    affine[:3, :3] = rotation @ np.diag(rng.uniform(0.5, 3.0, size=3))
    affine[:3, 3] = rng.uniform(-120, 120, size=3)
    return affine


def _world_public(rng):
    yield Case((_anatomical_affine(), np.array([[0, 0, 0], [32, 40, 24], [16, 20, 12]])),
               label="nibabel's anatomical.nii affine (LAS-like, 2 mm voxels), three corners")
    yield Case((_oblique_affine(rng), rng.integers(0, 60, size=(5, 3))),
               label="an oblique affine with unequal voxel sizes, 5 voxels")
    yield Case((_oblique_affine(rng).tolist(), [[1.5, 2.0, 3.0]]),
               label="affine and indices as Python lists, one fractional voxel")
    yield Case((_anatomical_affine(), np.zeros((0, 3), dtype=int)), label="no voxels at all (0, 3)")


def _world_hidden(rng):
    yield Case((_oblique_affine(rng), rng.uniform(0, 100, size=(20, 3))),
               label="20 fractional voxels, oblique affine")
    yield Case((_oblique_affine(rng), np.zeros((0, 3))), label="no voxels, oblique affine")
    yield Case((_oblique_affine(rng), np.array([[7, 0, 0], [0, 7, 0], [0, 0, 7]])),
               label="one step along each axis")


def _affine(a):
    return np.asarray(a, dtype=np.float64)


def _points(p):
    return np.asarray(p, dtype=np.float64).reshape(-1, 3)


VOXEL_TO_WORLD = Exercise(
    name="voxel_to_world",
    points=1,
    public_cases=_world_public,
    hidden_cases=_world_hidden,
    compare=allclose(rtol=1e-9, atol=1e-9),
    time_limit=5.0,
    mistakes=[
        Mistake("transposed", lambda a, p: _points(p) @ _affine(a)[:3, :3] + _affine(a)[:3, 3],
                "rows and columns of the affine are swapped: world = A[:3, :3] @ ijk + A[:3, 3] "
                "for each voxel, i.e. ijk_rows @ A[:3, :3].T when the voxels are rows."),
        Mistake("no translation", lambda a, p: _points(p) @ _affine(a)[:3, :3].T,
                "you forgot the translation A[:3, 3] (the world position of voxel (0, 0, 0)): "
                "in homogeneous coordinates the voxel is (i, j, k, 1), not (i, j, k, 0)."),
        Mistake("xyz order", lambda a, p: _points(p)[:, ::-1] @ _affine(a)[:3, :3].T + _affine(a)[:3, 3],
                "your voxel indices were read in reverse order (k, j, i), as if they were "
                "(x, y, z) of an image viewer; they are in array order (i, j, k): column 0 "
                "multiplies A[:, 0]."),
        Mistake("world order reversed",
                lambda a, p: (_points(p) @ _affine(a)[:3, :3].T + _affine(a)[:3, 3])[:, ::-1],
                "your world coordinates come out reversed (z, y, x); the affine gives (x, y, z) "
                "in millimetres, in that order."),
        Mistake("inverse",
                lambda a, p: (_points(p) - _affine(a)[:3, 3]) @ np.linalg.inv(_affine(a)[:3, :3]).T,
                "you applied the inverse affine (world to voxel); the affine maps voxel indices to "
                "world millimetres."),
        Mistake("homogeneous output",
                lambda a, p: np.c_[_points(p), np.ones(len(_points(p)))] @ _affine(a).T,
                "you returned homogeneous coordinates (N, 4) with a column of ones; return the "
                "(N, 3) world coordinates."),
    ],
)

"""Real medical images that ship inside installed packages, loaded at run time (never copied)."""

from __future__ import annotations

import numpy as np


def load_ct_slice() -> tuple[np.ndarray, tuple[float, float]]:
    """pydicom's ``CT_small.dcm``: one CT slice in Hounsfield units.

    Returns
    -------
    hounsfield_units : ndarray of float64, shape (128, 128)
        Stored values times RescaleSlope plus RescaleIntercept (air about -1000, water 0, bone > 300).
    pixel_spacing_mm : (row spacing, column spacing) in millimetres, from PixelSpacing.
    """
    import pydicom
    from pydicom.data import get_testdata_file

    dataset = pydicom.dcmread(get_testdata_file("CT_small.dcm", download=False))
    slope = float(getattr(dataset, "RescaleSlope", 1.0))
    intercept = float(getattr(dataset, "RescaleIntercept", 0.0))
    hounsfield_units = dataset.pixel_array.astype(np.float64) * slope + intercept
    row, column = (float(v) for v in dataset.PixelSpacing)
    return hounsfield_units, (row, column)


def load_retina() -> np.ndarray:
    """scikit-image's fundus photograph of a normal left eye: uint8 RGB, shape (1411, 1411, 3)."""
    from skimage import data

    return data.retina()

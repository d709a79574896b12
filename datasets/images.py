"""Real medical images that ship inside installed packages, loaded at run time (never copied)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pydicom


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


def load_ct_stored() -> tuple[np.ndarray, float, float, tuple[float, float]]:
    """pydicom's ``CT_small.dcm`` as stored: the raw integers and the header fields that turn them
    into Hounsfield units.

    Returns
    -------
    stored : ndarray of int16, shape (128, 128), the stored values (not yet in HU).
    slope, intercept : RescaleSlope and RescaleIntercept (HU = stored * slope + intercept).
    pixel_spacing_mm : (row spacing, column spacing) in millimetres.
    """
    dataset = read_dicom("CT_small.dcm")
    row, column = (float(v) for v in dataset.PixelSpacing)
    return (dataset.pixel_array, float(dataset.RescaleSlope), float(dataset.RescaleIntercept),
            (row, column))


def read_dicom(name: str) -> pydicom.Dataset:
    """A DICOM test file that ships inside the installed pydicom wheel, as a pydicom Dataset.

    Only the files of the wheel are used (``download=False``); pydicom would fetch the others
    from the network, which this course never does. Shipped and used here: ``CT_small.dcm``,
    ``MR_small.dcm``, ``liver_1frame.dcm`` (a DICOM Segmentation), ``examples_ybr_color.dcm``
    (a 30-frame ultrasound clip), ``examples_rgb_color.dcm`` and ``examples_palette.dcm``
    (ultrasound in RGB and in palette colour).
    """
    import pydicom
    from pydicom.data import get_testdata_file

    path = get_testdata_file(name, download=False)
    if path is None:
        raise FileNotFoundError(
            f"{name!r} does not ship inside the installed pydicom wheel (pydicom would download "
            "it); use one of CT_small.dcm, MR_small.dcm, liver_1frame.dcm, examples_ybr_color.dcm")
    return pydicom.dcmread(path)


def load_liver_mask() -> tuple[np.ndarray, tuple[float, float]]:
    """The liver of pydicom's ``liver_1frame.dcm``, a DICOM Segmentation object (one frame).

    Returns
    -------
    mask : ndarray of bool, shape (512, 512), True inside the segment labelled "Liver".
    pixel_spacing_mm : (row spacing, column spacing) in millimetres, from the shared functional
        groups' PixelMeasuresSequence (a Segmentation keeps its geometry there).
    """
    dataset = read_dicom("liver_1frame.dcm")
    measures = dataset.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0]
    row, column = (float(v) for v in measures.PixelSpacing)
    return dataset.pixel_array.astype(bool), (row, column)


def load_anatomical() -> tuple[np.ndarray, np.ndarray]:
    """nibabel's test volume ``anatomical.nii`` (shipped in the nibabel wheel, under tests/data).

    Returns
    -------
    volume : ndarray of float64, shape (33, 41, 25), a low-resolution T1-weighted head MR.
    affine : ndarray of float64, shape (4, 4), voxel indices (i, j, k, 1) to world millimetres
        (x, y, z, 1) in RAS+ ("x to the Right, y Anterior, z Superior").
    """
    import os

    import nibabel
    import nibabel.testing

    image = nibabel.load(os.path.join(nibabel.testing.data_path, "anatomical.nii"))
    return np.asarray(image.dataobj, dtype=np.float64), np.asarray(image.affine, dtype=np.float64)


def load_microaneurysms() -> np.ndarray:
    """scikit-image's retinal close-up with micro-aneurysms: uint8 grey levels, shape (102, 102)."""
    from skimage import data

    return data.microaneurysms()


def liver_mask_thumbnail(factor: int = 4, margin: int = 8) -> tuple[np.ndarray, tuple[float, float]]:
    """The liver mask cropped to its bounding box (plus ``margin`` pixels) and sampled every
    ``factor`` pixels: small enough for brute-force distances in exercises.

    Returns
    -------
    mask : ndarray of bool, about (130 / factor) x (170 / factor) for the default margin.
    pixel_spacing_mm : the original spacing times ``factor``, per axis.
    """
    mask, (row, column) = load_liver_mask()
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    r0, r1 = max(rows[0] - margin, 0), min(rows[-1] + margin + 1, mask.shape[0])
    c0, c1 = max(cols[0] - margin, 0), min(cols[-1] + margin + 1, mask.shape[1])
    return mask[r0:r1:factor, c0:c1:factor].copy(), (row * factor, column * factor)

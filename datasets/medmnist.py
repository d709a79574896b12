"""MedMNIST v2 files (PneumoniaMNIST, BreastMNIST) from a local ``.npz`` the learner already has, or
downloaded on request into the cache with a checksum; offline, an error that names the stand-in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import fetch


@dataclass(frozen=True)
class MedMNISTFile:
    url: str
    md5: str  # as published by MedMNIST (medmnist.INFO)
    sha256: str | None  # measured once on the published file; None until registered
    positive: str  # what label 1 means after loading
    flip_labels: bool  # the stored labels use the opposite convention
    stand_in: str


# The 28 x 28 files of the MedMNIST+ Zenodo record (doi:10.5281/zenodo.10519652), CC BY 4.0.
FILES: dict[str, MedMNISTFile] = {
    "pneumoniamnist": MedMNISTFile(
        "https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1",
        "28209eda62fecd6e6a2d98b1501bb15f", None, "pneumonia", False,
        "medai.datasets.xray.make_chest_xrays"),
    # BreastMNIST stores 0 = malignant, 1 = normal or benign; the course's convention (as in
    # chapter 01's breast_cancer table) is 1 = malignant, so the labels are flipped on loading.
    "breastmnist": MedMNISTFile(
        "https://zenodo.org/records/10519652/files/breastmnist.npz?download=1",
        "750601b1f35ba3300ea97c75c52ff8f6", None, "malignant", True,
        "medai.datasets.xray.make_chest_xrays (a chest stand-in: there is no synthetic ultrasound)"),
}
SPLITS = ("train", "val", "test")


def load_medmnist(
    name: str = "pneumoniamnist", path: str | os.PathLike | None = None, download: bool = False
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A MedMNIST v2 binary task as Keras-ready arrays.

    Parameters
    ----------
    name : "pneumoniamnist" or "breastmnist".
    path : a local ``.npz`` in the MedMNIST layout (``train_images`` (N, 28, 28) uint8,
        ``train_labels`` (N, 1), and the same for ``val`` and ``test``; missing splits are
        left out). When None, the copy in the cache (``medai.datasets.download.cache_dir()``).
    download : permission to fetch the file into the cache when it is not there (checked
        against the MD5 MedMNIST publishes). Nothing downloads without it; ``MEDAI_OFFLINE=1``
        forbids it.

    Returns
    -------
    dict split -> (images, labels): images float32 (N, 28, 28, 1) in [0, 1], labels int64 (N,),
    1 = pneumonia (PneumoniaMNIST) or 1 = malignant (BreastMNIST, flipped from the file).

    Raises
    ------
    OfflineError : the file is neither at ``path`` nor in the cache and cannot be downloaded;
        the message names the synthetic stand-in.
    """
    if name not in FILES:
        raise KeyError(f"unknown MedMNIST task {name!r}; this loader knows {', '.join(FILES)}")
    info = FILES[name]
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist; expected a MedMNIST .npz such as "
                                    f"{name}.npz. Without it, use the stand-in {info.stand_in}.")
    elif info.sha256 is None:  # MedMNIST publishes MD5s only: check the download against that
        path = fetch(info.url, info.md5, f"{name}.npz", download=download,
                     stand_in=info.stand_in, algorithm="md5")
    else:
        path = fetch(info.url, info.sha256, f"{name}.npz", download=download,
                     stand_in=info.stand_in)
    return read_medmnist_npz(path, flip_labels=info.flip_labels)


def read_medmnist_npz(path: str | os.PathLike, flip_labels: bool = False
                      ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read a ``.npz`` in the MedMNIST layout (see :func:`load_medmnist`)."""
    splits = {}
    with np.load(path, allow_pickle=False) as archive:
        for split in SPLITS:
            if f"{split}_images" not in archive.files:
                continue
            images = np.asarray(archive[f"{split}_images"])
            labels = np.asarray(archive[f"{split}_labels"]).reshape(-1).astype(np.int64)
            if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
                raise ValueError(f"{path}: {split}_images has shape {images.shape} with "
                                 f"{len(labels)} labels; expected (N, 28, 28) grey-scale images "
                                 "and N labels (the 28 x 28 MedMNIST layout)")
            if flip_labels:
                labels = 1 - labels
            splits[split] = ((images.astype(np.float32) / 255.0)[..., None], labels)
    if not splits:
        raise ValueError(f"{path} holds none of train_images, val_images, test_images: is it a "
                         "MedMNIST file?")
    return splits

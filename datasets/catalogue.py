"""Which data sets the course has, what kind each is, and where its data card lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CARDS_DIR = Path(__file__).resolve().parent / "cards"


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    kind: str  # "real" (ships in an installed package), "synthetic" (seeded generator), "remote"
    summary: str
    loader: str  # the function in medai.datasets that loads it


DATASETS: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        "breast_cancer",
        "real",
        "Breast Cancer Wisconsin (Diagnostic): 569 fine-needle aspirates, 30 features, "
        "1 = malignant (scikit-learn)",
        "load_breast_cancer",
    ),
    DatasetEntry(
        "ct_small",
        "real",
        "one 128 x 128 CT slice in Hounsfield units (pydicom's CT_small.dcm, NEMA WG04 sample data)",
        "load_ct_slice",
    ),
    DatasetEntry(
        "retina",
        "real",
        "a fundus photograph of a normal left eye, 1411 x 1411 RGB (scikit-image, CC0)",
        "load_retina",
    ),
    DatasetEntry(
        "repeated_visits",
        "synthetic",
        "Repeated clinic visits per patient (seeded): 400 patients, 2-8 visits each, a "
        "patient-level diabetic-complication label; made to show patient leakage",
        "make_repeated_visits",
    ),
    DatasetEntry(
        "synthetic_ecg",
        "synthetic",
        "Seeded single-lead ECG strips (P-QRS-T beats, noise, baseline wander) in five rhythms: "
        "sinus, bradycardia, tachycardia, AF-like, premature ventricular beats",
        "make_rhythm_dataset",
    ),
    DatasetEntry(
        "waveform_ecg",
        "real",
        "A real 12-lead resting ECG, 10 s at 1000 Hz, read from DICOM and scaled to mV (pydicom)",
        "load_waveform_ecg",
    ),
)


def list_datasets() -> list[DatasetEntry]:
    return list(DATASETS)


def entry(name: str) -> DatasetEntry:
    for e in DATASETS:
        if e.name == name:
            return e
    known = ", ".join(e.name for e in DATASETS)
    raise KeyError(f"no data set named {name!r}; the data sets are: {known}")


def card(name: str) -> str:
    """The data card of ``name`` (Markdown)."""
    entry(name)
    return (CARDS_DIR / f"{name}.md").read_text(encoding="utf-8")

"""medai.datasets: the course's data, real where it ships in a package, synthetic and documented
where it cannot, downloaded only on request."""

from .catalogue import card, list_datasets
from .download import ChecksumError, OfflineError, cache_dir, fetch, offline
from .ecg import load_waveform_ecg, make_rhythm_dataset, simulate_ecg
from .images import load_ct_slice, load_retina
from .tables import load_breast_cancer
from .visits import make_repeated_visits

__all__ = [
    "ChecksumError",
    "OfflineError",
    "cache_dir",
    "card",
    "fetch",
    "list_datasets",
    "load_breast_cancer",
    "load_ct_slice",
    "load_retina",
    "load_waveform_ecg",
    "make_rhythm_dataset",
    "make_repeated_visits",
    "offline",
    "simulate_ecg",
]

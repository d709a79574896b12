"""The data layer: real tables with documented conventions, cards for every data set, and
downloads that happen only on request, are checked, and respect MEDAI_OFFLINE."""

from __future__ import annotations

import hashlib
import http.server
import importlib
import threading
from functools import partial

import numpy as np
import pytest

from medai import datasets
from medai.autograder.cli import main
from medai.datasets import ChecksumError, OfflineError, fetch
from medai.datasets.catalogue import CARDS_DIR

CARD_SECTIONS = ["source", "licence", "size", "fields", "how it was made", "intended use",
                 "biases and limits"]


def test_breast_cancer_label_convention_is_the_reverse_of_sklearns():
    from sklearn.datasets import load_breast_cancer as sklearn_load

    frame = datasets.load_breast_cancer()
    bunch = sklearn_load()
    assert frame.shape == (569, 31)
    assert list(frame.columns[:-1]) == list(bunch.feature_names)
    assert frame["malignant"].sum() == 212  # 212 malignant, 357 benign
    np.testing.assert_array_equal(frame["malignant"].to_numpy(), 1 - bunch.target)
    np.testing.assert_allclose(frame.drop(columns="malignant").to_numpy(), bunch.data)


@pytest.mark.parametrize("entry", datasets.list_datasets(), ids=lambda e: e.name)
def test_every_dataset_has_a_complete_card_and_a_loader(entry):
    card = (CARDS_DIR / f"{entry.name}.md").read_text(encoding="utf-8").lower()
    for section in CARD_SECTIONS:
        assert section in card, f"the card of {entry.name} has no '{section}'"
    if entry.kind == "synthetic":
        assert "does not capture" in card
    module, _, function = entry.loader.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function)), entry.loader


def test_data_cli(capsys):
    assert main(["data", "list"]) == 0
    assert "breast_cancer" in capsys.readouterr().out
    assert main(["data", "info", "breast_cancer"]) == 0
    assert "1 = malignant" in capsys.readouterr().out
    assert main(["data", "info", "mimic"]) == 2
    assert "no data set named 'mimic'" in capsys.readouterr().err


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/www, stopped after the test."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "scan.bin").write_bytes(b"DICM" * 1000)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", www
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MEDAI_CACHE", str(folder))
    monkeypatch.delenv("MEDAI_OFFLINE", raising=False)
    return folder


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_on_request_is_checked_and_cached(server, cache):
    url, www = server
    digest = sha((www / "scan.bin").read_bytes())
    path = fetch(f"{url}/scan.bin", digest, "scan.bin", download=True)
    assert path == cache / "scan.bin" and path.read_bytes() == b"DICM" * 1000
    (www / "scan.bin").unlink()  # served no more: the cached copy must be used
    assert fetch(f"{url}/scan.bin", digest, "scan.bin") == path


def test_nothing_downloads_silently(server, cache):
    url, www = server
    with pytest.raises(OfflineError, match="download=True"):
        fetch(f"{url}/scan.bin", sha(b"x"), "scan.bin", stand_in="synthetic_ct")
    assert not (cache / "scan.bin").exists()


def test_checksum_mismatch_keeps_nothing(server, cache):
    url, _ = server
    with pytest.raises(ChecksumError, match="expected"):
        fetch(f"{url}/scan.bin", sha(b"something else"), "scan.bin", download=True)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_offline_mode_forbids_the_network_and_names_the_stand_in(server, cache, monkeypatch):
    url, www = server
    monkeypatch.setenv("MEDAI_OFFLINE", "1")
    with pytest.raises(OfflineError, match="MEDAI_OFFLINE=1.*synthetic stand-in 'synthetic_ct'"):
        fetch(f"{url}/scan.bin", sha((www / "scan.bin").read_bytes()), "scan.bin",
              download=True, stand_in="synthetic_ct")


def test_offline_mode_still_serves_the_cache(server, cache, monkeypatch):
    url, www = server
    digest = sha((www / "scan.bin").read_bytes())
    fetch(f"{url}/scan.bin", digest, "scan.bin", download=True)
    monkeypatch.setenv("MEDAI_OFFLINE", "1")
    assert fetch(f"{url}/scan.bin", digest, "scan.bin").exists()


def test_a_corrupted_cached_copy_is_replaced(server, cache):
    url, www = server
    digest = sha((www / "scan.bin").read_bytes())
    cache.mkdir()
    (cache / "scan.bin").write_bytes(b"truncated")
    assert fetch(f"{url}/scan.bin", digest, "scan.bin", download=True).read_bytes() == b"DICM" * 1000


def test_a_publisher_md5_is_checked_where_it_is_all_there_is(server, cache):
    """MedMNIST publishes MD5s only: a download on request is checked against it."""
    url, www = server
    md5 = hashlib.md5((www / "scan.bin").read_bytes()).hexdigest()
    with pytest.raises(ChecksumError, match="MD5"):
        fetch(f"{url}/scan.bin", hashlib.md5(b"x").hexdigest(), "scan.bin", download=True,
              algorithm="md5")
    path = fetch(f"{url}/scan.bin", md5, "scan.bin", download=True, algorithm="md5")
    assert path.read_bytes() == b"DICM" * 1000


def test_medmnist_downloads_on_request_checked_by_its_published_md5(server, cache, monkeypatch):
    import numpy as np

    from medai.datasets import medmnist

    url, www = server
    arrays = {f"{split}_{kind}": (np.zeros((2, 28, 28), np.uint8) if kind == "images"
                                  else np.array([[0], [1]], np.uint8))
              for split in ("train", "val", "test") for kind in ("images", "labels")}
    np.savez(www / "pneumoniamnist.npz", **arrays)
    md5 = hashlib.md5((www / "pneumoniamnist.npz").read_bytes()).hexdigest()
    info = medmnist.FILES["pneumoniamnist"]
    monkeypatch.setitem(medmnist.FILES, "pneumoniamnist", medmnist.MedMNISTFile(
        f"{url}/pneumoniamnist.npz", md5, None, info.positive, info.flip_labels, info.stand_in))
    with pytest.raises(OfflineError, match="download=True"):
        medmnist.load_medmnist("pneumoniamnist")  # nothing downloads silently
    data = medmnist.load_medmnist("pneumoniamnist", download=True)
    assert data["train"][0].shape == (2, 28, 28, 1) and (cache / "pneumoniamnist.npz").is_file()


def test_unreachable_server_is_a_clear_error(cache):
    with pytest.raises(OfflineError, match="could not download"):
        fetch("http://127.0.0.1:9/none.bin", sha(b""), "none.bin", download=True, timeout=2)


def test_cache_dir_default_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv("MEDAI_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert datasets.cache_dir() == tmp_path / "medai"

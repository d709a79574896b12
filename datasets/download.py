"""Where data files come from when they do not ship in a package: a per-user cache, filled only
on request, from a URL whose checksum is known in advance (SHA-256; MD5 only where that is all the
publisher gives, as MedMNIST does); ``MEDAI_OFFLINE=1`` forbids the network."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path


class OfflineError(RuntimeError):
    """The file is not in the cache and the network may not be used."""


class ChecksumError(RuntimeError):
    """A downloaded file's checksum differs from the registered one; nothing was kept."""


def offline() -> bool:
    return os.environ.get("MEDAI_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def cache_dir() -> Path:
    """``$MEDAI_CACHE`` if set, else the platform's per-user cache folder plus ``medai``."""
    env = os.environ.get("MEDAI_CACHE")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "medai"


def sha256_of(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    url: str,
    sha256: str,
    filename: str,
    download: bool = False,
    stand_in: str | None = None,
    timeout: float = 60.0,
    algorithm: str = "sha256",
) -> Path:
    """The cached copy of ``url``, downloading it first only when ``download=True``.

    Parameters
    ----------
    url : where the file is published.
    sha256 : its expected checksum (hex), SHA-256 unless ``algorithm`` says otherwise. A download
        that does not match is deleted.
    filename : name of the file in the cache folder.
    download : permission to use the network. Nothing downloads without it.
    stand_in : the synthetic data set to use instead, named in the error when the file cannot be had.
    algorithm : "sha256", or "md5" for a publisher that gives only an MD5 (MedMNIST).
    """
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"algorithm must be 'sha256' or 'md5'; got {algorithm!r}")
    target = cache_dir() / filename
    if target.is_file():
        if sha256_of(target, algorithm) == sha256.lower():
            return target
        target.unlink()  # a corrupt or stale copy: fetch again, if allowed
    alternative = f" Without it, use the synthetic stand-in {stand_in!r}." if stand_in else ""
    if offline():
        raise OfflineError(
            f"{filename} is not in the cache ({target.parent}) and MEDAI_OFFLINE=1 forbids "
            f"downloading it.{alternative}"
        )
    if not download:
        raise OfflineError(
            f"{filename} is not in the cache ({target.parent}). Nothing downloads silently: call "
            f"again with download=True to fetch it from {url}, or copy the file there yourself."
            f"{alternative}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.new(algorithm)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{filename}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != sha256.lower():
            raise ChecksumError(
                f"the download of {url} has {algorithm.upper().replace('SHA', 'SHA-')} "
                f"{digest.hexdigest()}, expected {sha256.lower()}; "
                "the file was discarded (an interrupted transfer, or the publisher changed it)"
            )
        os.replace(partial, target)
    except (urllib.error.URLError, OSError) as exc:
        raise OfflineError(f"could not download {url}: {exc}.{alternative}") from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target

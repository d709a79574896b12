"""Real molecules that ship inside RDKit's wheel, read at run time: a ChEMBL potency series, ligand
sets of three protein targets, the first NCI compounds, and the SA score's fragment statistics.

Nothing is copied into this repository. Every path is built from ``rdkit.RDConfig`` (``RDDataDir``,
``RDContribDir``), so the loaders follow whichever RDKit is installed; a file that a wheel does not
ship raises :class:`FileNotFoundError` naming the path and the package that should hold it.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

# The ligand sets of "load_target_ligands": target name -> (folder under RDContribDir, file name).
TARGET_FILES: dict[str, tuple[str, str]] = {
    "CDK2": ("Fastcluster/testdata", "cdk2.sdf"),
    "c-Met": ("FreeWilson/data", "cmet_ligands.sdf"),
    "EGFR": ("PBF/testData", "egfr.sdf"),
}


def rdkit_file(*parts: str, contrib: bool = False) -> Path:
    """The path of a data file shipped with the installed RDKit.

    Parameters
    ----------
    *parts : path components below ``RDConfig.RDDataDir`` (or ``RDConfig.RDContribDir`` when
        ``contrib`` is true), e.g. ``("NCI", "first_5K.smi")``.

    Raises
    ------
    FileNotFoundError : the installed RDKit does not ship that file.
    """
    from rdkit import RDConfig

    base = Path(RDConfig.RDContribDir if contrib else RDConfig.RDDataDir)
    path = base.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(
            f"RDKit's file {path} is missing: this chapter reads the data files that ship in the "
            f"rdkit wheel from PyPI (its Data and Contrib folders), and the installed RDKit has no "
            f"{'/'.join(parts)}; install the wheel with `pip install rdkit`"
        )
    return path


def load_chembl_pic50() -> pd.DataFrame:
    """The ChEMBL series CHEMBL2321810 shipped in RDKit's ``Contrib/FreeWilson/data``.

    Returns
    -------
    DataFrame with 1,017 rows and columns ``chembl_id`` (str, the ChEMBL compound id without its
    prefix, as in the file), ``smiles`` (str) and ``pic50`` (float, -log10 of IC50 in mol/L).
    ChEMBL data, CC BY-SA 3.0 (see the data card ``chembl_pic50``).
    """
    smiles_path = rdkit_file("FreeWilson", "data", "CHEMBL2321810.smi", contrib=True)
    activity_path = rdkit_file("FreeWilson", "data", "CHEMBL2321810_act.csv", contrib=True)
    with activity_path.open(encoding="utf-8") as handle:
        activity = {row["Name"]: float(row["Act"]) for row in csv.DictReader(handle)}
    rows = []
    for line in smiles_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        smiles, name = line.split()
        rows.append((name, smiles, activity[name]))
    return pd.DataFrame(rows, columns=["chembl_id", "smiles", "pic50"])


def load_target_ligands() -> pd.DataFrame:
    """Known ligands of three kinases, from the SD files shipped in RDKit's Contrib folder.

    Returns
    -------
    DataFrame with columns ``target`` ("CDK2": 47 ligands, "c-Met": 24, "EGFR": 365), ``name``
    (the file's molecule name: a ZINC id for CDK2 and EGFR, ChEMBL id + suffix for c-Met) and
    ``smiles`` (canonical, hydrogens removed). One row per molecule, in file order.
    """
    from rdkit import Chem, rdBase

    rows = []
    with rdBase.BlockLogs():  # RDKit's warnings about the 3D files would reach stderr
        for target, (folder, name) in TARGET_FILES.items():
            path = rdkit_file(*folder.split("/"), name, contrib=True)
            for mol in Chem.SDMolSupplier(str(path)):
                if mol is None:
                    continue
                rows.append((target, mol.GetProp("_Name"), Chem.MolToSmiles(Chem.RemoveHs(mol))))
    return pd.DataFrame(rows, columns=["target", "name", "smiles"])


def load_nci_smiles(n: int | None = None) -> pd.DataFrame:
    """The first compounds (4,999 rows) of the NCI open database, as shipped in ``RDDataDir/NCI``.

    Parameters
    ----------
    n : keep only the first ``n`` rows (all 4,999 when None).

    Returns
    -------
    DataFrame with columns ``nci_id`` (int, the NSC number) and ``smiles`` (str, as in the file;
    a few do not parse with RDKit's default sanitisation, which the notebook shows).
    """
    path = rdkit_file("NCI", "first_5K.smi")
    frame = pd.read_csv(path, sep="\t", header=None, names=["smiles", "nci_id"])
    frame = frame[["nci_id", "smiles"]]
    return frame if n is None else frame.head(n).reset_index(drop=True)


def load_sascorer() -> ModuleType:
    """Ertl and Schuffenhauer's synthetic-accessibility scorer from RDKit's ``Contrib/SA_Score``.

    Returns the ``sascorer`` module (its ``calculateScore(mol)`` gives 1 = easy to 10 = hard),
    imported from the installed RDKit's Contrib folder with its fragment statistics
    ``fpscores.pkl.gz`` (a file RDKit ships and the module reads itself).
    """
    import sys

    name = "medai_rdkit_sascorer"
    if name in sys.modules:  # imported once per process, like any module
        return sys.modules[name]
    path = rdkit_file("SA_Score", "sascorer.py", contrib=True)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def sa_score(smiles: str) -> float:
    """The synthetic-accessibility score of ``smiles`` (1 = easy to make, 10 = very hard).

    Raises ValueError naming the SMILES when RDKit cannot parse it.
    """
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"RDKit cannot parse the SMILES {smiles!r}")
    return float(load_sascorer().calculateScore(mol))


def morgan_matrix(smiles: list[str], radius: int = 2, n_bits: int = 2048) -> np.ndarray:
    """Morgan (ECFP-like) fingerprints of ``smiles`` as a 0/1 matrix.

    Returns
    -------
    ndarray of shape (N, n_bits), dtype uint8: the bits of RDKit's
    ``rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)``. ECFP4 is radius 2.
    Raises ValueError naming a SMILES RDKit cannot parse.
    """
    from rdkit import Chem, rdBase
    from rdkit.Chem import rdFingerprintGenerator

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    matrix = np.zeros((len(smiles), n_bits), dtype=np.uint8)
    for row, text in enumerate(smiles):
        with rdBase.BlockLogs():
            mol = Chem.MolFromSmiles(text)
        if mol is None:
            raise ValueError(f"RDKit cannot parse the SMILES {text!r}")
        matrix[row] = generator.GetFingerprintAsNumPy(mol)
    return matrix

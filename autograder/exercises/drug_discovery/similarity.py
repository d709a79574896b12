"""Fingerprints and similarity: Tanimoto from bits, bulk search, Morgan bits, enrichment."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...compare import Verdict, allclose
from ...registry import Case, Exercise, Mistake, reference
from ._shared import (
    ASPIRIN,
    ATORVASTATIN,
    CHAPTER,
    ERYTHROMYCIN,
    IMATINIB_MESYLATE,
    UNPARSABLE,
    call_catching_value_error,
    exclusive,
    morgan_bits,
    parse,
    random_bits,
    with_value_errors,
)

# --- tanimoto ------------------------------------------------------------------------------------


def _counts(a, b):
    a, b = np.asarray(a) != 0, np.asarray(b) != 0
    return float(np.sum(a & b)), float(np.sum(a)), float(np.sum(b)), float(np.sum(a | b))


def _tanimoto_sum_union(a, b):
    both, na, nb, _ = _counts(a, b)
    return both / (na + nb) if na + nb else 0.0


def _tanimoto_nan_empty(a, b):
    both, _, _, union = _counts(a, b)
    return both / union if union else float("nan")


def _dice(a, b):
    both, na, nb, _ = _counts(a, b)
    return 2 * both / (na + nb) if na + nb else 0.0


def _tanimoto_on_values(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = float(np.sum(a * b))
    union = float(np.sum(a) + np.sum(b)) - both
    return both / union if union else 0.0


def _overlap(a, b):
    both, na, nb, _ = _counts(a, b)
    return both / min(na, nb) if min(na, nb) else 0.0


def _number_compare(got: Any, expected: Any) -> Verdict:
    if isinstance(got, float) and math.isnan(got) and not math.isnan(expected):
        return Verdict(False, "your similarity is NaN: two all-zero fingerprints share nothing, "
                              "and Tanimoto is defined as 0.0 there (RDKit's convention)")
    return allclose(rtol=1e-9, atol=1e-12)(got, expected)


def _tanimoto_public(rng):
    yield Case((np.array([1, 1, 0, 1, 0]), np.array([1, 0, 0, 1, 1])), label="5 bits, 2 shared")
    yield Case((random_bits(rng, 2048), random_bits(rng, 2048)), label="two random 2048-bit fingerprints")
    empty = np.zeros(16, dtype=np.uint8)
    yield Case((empty, empty.copy()), label="two all-zero fingerprints")
    yield Case(([0, 1, 1, 0], [0, 1, 1, 0]), label="Python lists, identical")
    yield Case((np.array([0, 2, 5, 0, 1]), np.array([3, 1, 0, 0, 1])),
               label="counts rather than bits (nonzero means set)")
    yield Case((np.array([True, False, True, True, False, False]),
                np.array([True, True, False, False, False, False])), label="boolean arrays")
    fps = morgan_bits([ASPIRIN, "OC(=O)c1ccccc1O"])
    yield Case((fps[0], fps[1]), label="ECFP4 of aspirin and salicylic acid")
    yield Case((np.array([1, 0, 0, 0]), np.zeros(4, dtype=np.uint8)), label="one empty fingerprint")


def _tanimoto_hidden(rng):
    yield Case((random_bits(rng, 1024, 0.5), random_bits(rng, 1024, 0.02)), label="dense and sparse")
    yield Case((np.ones(8, dtype=np.int64), np.ones(8, dtype=np.int64)), label="all bits set in both")
    yield Case((np.array([1]), np.array([0])), label="a single bit")
    yield Case(([0.0, 3.5, 1.0], [2.0, 0.0, 1.0]), label="float lists")
    yield Case((np.zeros(2048, dtype=bool), np.zeros(2048, dtype=bool)),
               label="two empty boolean fingerprints")
    fps = morgan_bits([ATORVASTATIN, IMATINIB_MESYLATE])
    yield Case((fps[0], fps[1]), label="ECFP4 of two unrelated drugs")
    yield Case((rng.integers(0, 4, size=300), rng.integers(0, 4, size=300)), label="random counts")


TANIMOTO = Exercise(
    name="tanimoto",
    points=1,
    public_cases=_tanimoto_public,
    hidden_cases=_tanimoto_hidden,
    compare=_number_compare,
    time_limit=5.0,
    advice="count |a AND b| and |a OR b| on the boolean versions of the fingerprints (x != 0).",
    mistakes=[
        Mistake("union as the sum", _tanimoto_sum_union,
                "your denominator is |a| + |b|, which counts the shared bits twice: the union is "
                "|a OR b| = |a| + |b| - |a AND b|."),
        Mistake("Dice", exclusive(_dice, _overlap),
                "your value is the Dice coefficient 2|a AND b| / (|a| + |b|); Tanimoto is "
                "|a AND b| / |a OR b|."),
        Mistake("values, not bits", _tanimoto_on_values,
                "you multiplied and summed the values themselves; a fingerprint bit is set when its "
                "value is nonzero, so turn the arrays into booleans (x != 0) first."),
        Mistake("overlap coefficient", exclusive(_overlap, _dice),
                "you divided by the smaller fingerprint's bit count (the overlap coefficient); "
                "Tanimoto divides by the union."),
    ],
)


# --- bulk_tanimoto -------------------------------------------------------------------------------

def _bulk(kind):
    def mistaken(query, fingerprints):
        q = np.asarray(query) != 0
        F = np.asarray(fingerprints) != 0
        both = (F & q).sum(axis=1).astype(float)
        sizes = F.sum(axis=1) + q.sum()
        union = sizes - both if kind != "sum" else sizes.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            if kind == "nan":
                return both / union
            sim = np.where(union > 0, both / np.where(union > 0, union, 1), 0.0)
        if kind == "distance":
            return 1.0 - sim
        return sim

    return mistaken


def _bulk_compare(got: Any, expected: Any) -> Verdict:
    if isinstance(got, list):
        return Verdict(False, "your output is a Python list; return a NumPy array of shape (M,) "
                              "(np.asarray(...) or a vectorised computation)")
    return allclose(rtol=1e-9, atol=1e-12)(got, expected)


def _bulk_public(rng):
    yield Case((np.array([1, 1, 0, 1]), np.array([[1, 1, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]])),
               label="3 fingerprints of 4 bits")
    F = random_bits(rng, (200, 1024))
    yield Case((F[0], F), label="200 random fingerprints, the query among them")
    rows = np.vstack([np.zeros(6, dtype=np.uint8), np.eye(6, dtype=np.uint8)])
    yield Case((np.zeros(6, dtype=np.uint8), rows), label="an all-zero query, one all-zero row")
    yield Case(([1, 0, 1], [[1, 0, 1]]), label="Python lists, a single row")
    yield Case((np.array([1, 0, 1]), np.zeros((0, 3), dtype=np.uint8)),
               label="no fingerprints at all (M = 0)")
    from ....datasets.molecules import load_target_ligands

    ligands = load_target_ligands()
    fps = morgan_bits(list(ligands.smiles[ligands.target == "CDK2"]))
    yield Case((fps[0], fps), label="ECFP4 of the 47 CDK2 ligands")


def _bulk_hidden(rng):
    yield Case((random_bits(rng, 512, 0.3), random_bits(rng, (50, 512), 0.05)),
               label="dense query, sparse rows")
    yield Case((np.array([True, False, True]), np.array([[True, True, False], [False, False, False]])),
               label="boolean arrays")
    yield Case((rng.integers(0, 3, size=64), rng.integers(0, 3, size=(10, 64))), label="counts")
    fps = morgan_bits([ASPIRIN, ATORVASTATIN, IMATINIB_MESYLATE, ERYTHROMYCIN, "OC(=O)c1ccccc1O"])
    yield Case((fps[0], fps), label="ECFP4 of five drugs")


BULK_TANIMOTO = Exercise(
    name="bulk_tanimoto",
    points=2,
    public_cases=_bulk_public,
    hidden_cases=_bulk_hidden,
    compare=_bulk_compare,
    time_limit=5.0,
    advice="with booleans q (n_bits,) and F (M, n_bits): shared bits (F & q).sum(axis=1); the union "
           "is |F_i| + |q| minus the shared bits; 0.0 where the union is empty.",
    mistakes=[
        Mistake("union as the sum", _bulk("sum"),
                "your denominator is |q| + |F_i|, which counts the shared bits twice: subtract "
                "the shared bits to get the union."),
        Mistake("NaN for empty", _bulk("nan"),
                "an all-zero query against an all-zero row gives 0/0: Tanimoto is 0.0 there, as in "
                "RDKit (np.where on the union)."),
        Mistake("distance", _bulk("distance"),
                "you returned the Tanimoto distance 1 - similarity; return the similarity."),
        Mistake("tanimoto against columns",
                lambda query, fingerprints: np.array(
                    [reference(CHAPTER, "tanimoto")(query, column) for column in np.asarray(fingerprints).T]),
                "you compared the query with columns of `fingerprints`; each row is one molecule."),
    ],
)


# --- morgan_fingerprint --------------------------------------------------------------------------

def _morgan_with(**options):
    def mistaken(smiles, radius=2, n_bits=2048):
        from rdkit import Chem
        from rdkit.Chem import rdFingerprintGenerator

        mol = parse(smiles)
        r = options.get("radius", lambda r: r)(radius)
        size = options.get("size", n_bits)
        kwargs = {"includeChirality": True} if options.get("chirality") else {}
        if options.get("features"):
            kwargs["atomInvariantsGenerator"] = rdFingerprintGenerator.GetMorganFeatureAtomInvGen()
        generator = rdFingerprintGenerator.GetMorganGenerator(radius=r, fpSize=size, **kwargs)
        if options.get("hydrogens"):
            mol = Chem.AddHs(mol)
        if options.get("counts"):
            return generator.GetCountFingerprintAsNumPy(mol).astype(np.uint8)
        return generator.GetFingerprintAsNumPy(mol).astype(np.uint8)

    return mistaken


_CHIRAL = "C[C@H](N)C(=O)O"


def _morgan_public(rng):
    yield Case((ASPIRIN,), label="aspirin, defaults (ECFP4, 2048 bits)")
    yield Case((ATORVASTATIN,), {"radius": 3, "n_bits": 1024}, label="atorvastatin, radius 3, 1024 bits")
    yield Case((IMATINIB_MESYLATE,), {"radius": 1, "n_bits": 512}, label="imatinib mesylate, radius 1")
    yield Case(("CCCCCCCCCC",), {"n_bits": 64}, label="decane folded into 64 bits (repeated environments)")
    yield Case((_CHIRAL,), label="L-alanine (one stereocentre)")
    yield Case(("c1ccccc1",), {"radius": 0}, label="benzene, radius 0 (atoms only)")
    yield Case((UNPARSABLE[0],), label="an unclosed ring: ValueError naming the SMILES")


def _morgan_hidden(rng):
    yield Case((ERYTHROMYCIN,), label="erythromycin, defaults")
    yield Case(("OC(=O)c1ccccc1O",), {"radius": 2, "n_bits": 4096}, label="salicylic acid, 4096 bits")
    yield Case(("N[C@@H](Cc1ccccc1)C(=O)O",), {"radius": 4}, label="L-phenylalanine, radius 4")
    yield Case(("CCO",), {"n_bits": 8}, label="ethanol in 8 bits")
    yield Case((UNPARSABLE[1],), label="an unkekulisable ring: ValueError")


MORGAN_FINGERPRINT = Exercise(
    name="morgan_fingerprint",
    points=1,
    public_cases=_morgan_public,
    hidden_cases=_morgan_hidden,
    compare=with_value_errors(allclose(rtol=0, atol=0), "for a SMILES RDKit cannot parse"),
    invoke=call_catching_value_error,
    time_limit=5.0,
    advice="build the generator with GetMorganGenerator(radius=radius, fpSize=n_bits) and take "
           "its bits as a NumPy array (GetFingerprintAsNumPy), dtype uint8.",
    mistakes=[
        Mistake("ECFP4 as radius 4", _morgan_with(radius=lambda r: 4 if r == 2 else r),
                "your default fingerprint matches radius 4. The 4 in ECFP4 is the diameter of the "
                "largest environment (4 bonds across), so ECFP4 is radius 2."),
        Mistake("counts", _morgan_with(counts=True),
                "you returned how often each environment occurs (a count fingerprint); return the "
                "0/1 bits (GetFingerprintAsNumPy)."),
        Mistake("chirality", _morgan_with(chirality=True),
                "your fingerprint includes chirality (includeChirality=True); the default Morgan "
                "generator ignores it."),
        Mistake("features (FCFP)", _morgan_with(features=True),
                "your fingerprint uses pharmacophoric feature invariants (FCFP); ECFP uses the "
                "default atom invariants."),
        Mistake("explicit hydrogens", _morgan_with(hydrogens=True),
                "you added explicit hydrogens before fingerprinting; Morgan fingerprints are "
                "computed on the molecule as parsed (hydrogens implicit)."),
        Mistake("size ignored", _morgan_with(size=2048),
                "your fingerprint always has 2048 bits: pass n_bits to the generator as fpSize."),
    ],
)


# --- enrichment_factor ---------------------------------------------------------------------------

def _enrichment_with(top_size=None, denominator="screened", order="stable"):
    def mistaken(scores, is_active, fraction=0.01):
        scores = np.asarray(scores, dtype=float)
        active = np.asarray(is_active).astype(bool)
        total = len(scores)
        if total == 0 or not active.any():
            return 0.0
        if order == "stable":
            ranking = np.argsort(-scores, kind="stable")
        elif order == "reversed ties":
            ranking = np.argsort(scores, kind="stable")[::-1]
        else:  # ascending
            ranking = np.argsort(scores, kind="stable")
        n = top_size(fraction, total) if top_size else max(1, math.ceil(fraction * total))
        n = min(max(n, 0), total)
        hits = float(active[ranking[:n]].sum())
        if denominator == "actives":
            return hits / active.sum()
        return (hits / n) / (active.sum() / total)

    return mistaken


def _screen(rng, n, n_active, separation):
    active = np.zeros(n, dtype=bool)
    active[rng.choice(n, size=n_active, replace=False)] = True
    scores = rng.normal(size=n) + separation * active
    return np.round(scores, 1), active  # rounded: ties, as docking scores and similarities have


def _enrichment_public(rng):
    scores = np.array([0.9, 0.8, 0.8, 0.7, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1])
    active = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
    yield Case((scores, active), {"fraction": 0.2}, label="10 molecules, top 20 %, a tie at the cut")
    yield Case((scores, active), {"fraction": 0.25}, label="10 molecules, top 25 % (2.5 rounds up to 3)")
    s, a = _screen(rng, 100, 10, 1.5)
    yield Case((s, a), {"fraction": 0.07}, label="100 molecules, top 7 % (0.07 x 100 is just over 7)")
    s, a = _screen(rng, 1000, 20, 2.0)
    yield Case((s, a), label="a 1,000-molecule screen, default top 1 %")
    yield Case(([0.3, 0.9, 0.1], [False, False, False]), {"fraction": 0.5}, label="no active: 0.0")
    yield Case(([], []), {"fraction": 0.1}, label="an empty screen: 0.0")
    yield Case(([0.5, 0.2, 0.9, 0.1], [1, 0, 0, 1]), {"fraction": 0.0}, label="fraction 0: the top molecule")
    yield Case(([0.5, 0.2, 0.9, 0.1], [1, 0, 0, 1]), {"fraction": 1.0}, label="fraction 1: everything")
    yield Case((np.ones(8), np.array([0, 0, 0, 0, 0, 1, 1, 0])), {"fraction": 0.25},
               label="all scores tied: the original order decides")


def _enrichment_hidden(rng):
    for n, k, frac in ((500, 25, 0.05), (2000, 10, 0.01), (300, 30, 0.1), (57, 5, 0.03)):
        s, a = _screen(rng, n, k, 1.0)
        yield Case((s, a), {"fraction": frac}, label=f"{n} molecules, {k} actives, top {frac:.0%}")
    yield Case(([0.1], [1]), {"fraction": 0.5}, label="a single active molecule")
    yield Case((np.zeros(20), np.eye(20, dtype=int)[3]), {"fraction": 0.1}, label="a flat screen")


ENRICHMENT_FACTOR = Exercise(
    name="enrichment_factor",
    points=2,
    public_cases=_enrichment_public,
    hidden_cases=_enrichment_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    advice="rank with a stable descending sort, take n = max(1, ceil(fraction * N)), then "
           "EF = (actives in the top n / n) / (all actives / N).",
    mistakes=[
        Mistake("not rounded up", _enrichment_with(top_size=lambda f, n: max(1, math.floor(f * n))),
                "your top set has fewer molecules than it should: n = max(1, ceil(fraction x N)), "
                "rounded *up* and computed in floating point as RDKit does (2.5 becomes 3, and "
                "0.07 x 100 = 7.000000000000001 becomes 8)."),
        Mistake("fraction of actives", _enrichment_with(denominator="actives"),
                "you returned the fraction of all actives found in the top set (the recall); EF "
                "divides the hit rate in the top set by the hit rate of the whole screen."),
        Mistake("ascending", _enrichment_with(order="ascending"),
                "you ranked the lowest scores first; the top of a screen is the highest scores."),
        Mistake("ties reversed", _enrichment_with(order="reversed ties"),
                "tied scores came out in reverse order: argsort(...)[::-1] reverses ties too; sort "
                "-scores with a stable sort (kind='stable') so ties keep the original order."),
    ],
)

EXERCISES = [TANIMOTO, BULK_TANIMOTO, MORGAN_FINGERPRINT, ENRICHMENT_FACTOR]

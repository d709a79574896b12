"""Chemical space: Butina clustering, scaffold splits, and ligand-based target prediction."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ...compare import PASS, Verdict, allclose, type_name
from ...registry import Case, Exercise, Mistake, WrongOutput
from ._shared import call_catching_value_error, exclusive, morgan_bits, random_bits, with_value_errors

# --- butina_clusters -----------------------------------------------------------------------------


def _similarity_matrix(fingerprints) -> np.ndarray:
    F = np.asarray(fingerprints) != 0
    if F.ndim != 2 or len(F) == 0:
        return np.zeros((len(F), len(F)))
    both = F.astype(np.int64) @ F.T.astype(np.int64)
    sizes = F.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - both
    return np.where(union > 0, both / np.where(union > 0, union, 1), 0.0)


def _butina(fingerprints, cutoff=0.35, *, rule="distance", ties="highest", members="ordered",
            exclusive=True, output="creation"):
    similarity = _similarity_matrix(fingerprints)
    n = len(similarity)
    distance = 1.0 - similarity
    if rule == "distance":
        close = distance <= cutoff
    elif rule == "strict":
        close = distance < cutoff
    else:  # similarity compared with the distance cutoff
        close = similarity <= cutoff
    neighbours = [list(np.flatnonzero(close[i])) for i in range(n)]
    key = (lambda i: (len(neighbours[i]), i)) if ties == "highest" else (lambda i: (len(neighbours[i]), -i))
    order = sorted(range(n), key=key, reverse=True)
    seen = np.zeros(n, dtype=bool)
    clusters = []
    for i in order:
        if seen[i]:
            continue
        others = [int(j) for j in neighbours[i] if j != i and (not seen[j] or not exclusive)]
        cluster = [int(i)] + others
        if members == "sorted":
            cluster = sorted(cluster)
        seen[cluster] = True
        clusters.append(cluster)
    if output == "by size":
        clusters.sort(key=len, reverse=True)
    return clusters


def _butina_sorted(F, cutoff=0.35):
    return _butina(F, cutoff, members="sorted")


def _butina_lowest(F, cutoff=0.35):
    return _butina(F, cutoff, ties="lowest")


def _butina_compare(got: Any, expected: Any) -> Verdict:
    if not isinstance(got, (list, tuple)) or not all(isinstance(c, (list, tuple)) for c in got):
        return Verdict(False, f"your output should be a list of clusters, each a list of indices; got "
                              f"{type_name(got)}")
    got = [[int(i) for i in c] for c in got]
    if got == expected:
        return PASS
    flat = sorted(i for c in got for i in c)
    if flat != sorted(i for c in expected for i in c):
        return Verdict(False, "your clusters do not hold every molecule exactly once")
    if sorted(map(sorted, got)) == sorted(map(sorted, expected)):
        if sorted(got) == sorted(expected):
            return Verdict(False, "your clusters are right but in another order: return them in the "
                                  "order they were created")
        return Verdict(False, "your clusters hold the right molecules, but not in the right order "
                              "within a cluster: the centroid first, then its neighbours by index")
    return Verdict(False, f"your clustering differs: {len(got)} clusters, expected {len(expected)}"
                   if len(got) != len(expected) else "your clustering differs from Taylor-Butina's")


def _families(rng, n_families, per_family, n_bits=256, flip=0.03):
    prototypes = random_bits(rng, (n_families, n_bits), 0.15)
    rows = np.repeat(prototypes, per_family, axis=0)
    rows ^= (rng.random(rows.shape) < flip).astype(np.uint8)
    return rows[rng.permutation(len(rows))]


def _ligand_fingerprints() -> dict[str, np.ndarray]:
    """ECFP4 (2048 bits) of the known ligands of each target, loaded once per case set."""
    from ....datasets.molecules import load_target_ligands

    frame = load_target_ligands()
    return {t: morgan_bits(list(frame.smiles[frame.target == t])) for t in ("EGFR", "c-Met", "CDK2")}


def _butina_public(rng):
    F = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 1, 1, 1]],
                 dtype=np.uint8)
    yield Case((F,), {"cutoff": 0.5}, label="6 molecules of 4 bits, distances exactly at the cutoff")
    yield Case((_families(rng, 5, 8),), label="40 molecules from 5 families, default cutoff")
    yield Case((_ligand_fingerprints()["CDK2"],), {"cutoff": 0.6},
               label="ECFP4 of the 47 CDK2 ligands, cutoff 0.6")
    yield Case((np.ones((4, 8), dtype=np.uint8),), label="4 identical molecules (all tied)")
    yield Case(([[1, 0, 1], [1, 0, 1], [0, 1, 0]],), label="a Python list of 3 molecules")
    yield Case((np.array([[0, 1, 1, 0]]),), label="a single molecule")
    yield Case((np.zeros((0, 16), dtype=np.uint8),), label="no molecules")
    yield Case((_families(rng, 3, 4, flip=0.2),), {"cutoff": 0.7}, label="12 noisy molecules, cutoff 0.7")


def _butina_hidden(rng):
    yield Case((_families(rng, 8, 6, n_bits=512),), {"cutoff": 0.4}, label="48 molecules, 8 families")
    fps = _ligand_fingerprints()
    yield Case((fps["c-Met"],), {"cutoff": 0.5}, label="the 24 c-Met ligands, cutoff 0.5")
    yield Case((fps["EGFR"][:120],), {"cutoff": 0.6}, label="120 EGFR ligands, cutoff 0.6")
    yield Case((random_bits(rng, (30, 64), 0.3).astype(bool),), {"cutoff": 0.8}, label="boolean fingerprints")
    yield Case((np.vstack([np.zeros((2, 8)), np.eye(8)]).astype(np.uint8),), {"cutoff": 1.0},
               label="cutoff 1.0: everything is a neighbour")


BUTINA_CLUSTERS = Exercise(
    name="butina_clusters",
    points=2,
    public_cases=_butina_public,
    hidden_cases=_butina_hidden,
    compare=_butina_compare,
    time_limit=10.0,
    advice="neighbours are all j (i itself included) with 1 - T(i, j) <= cutoff; visit candidates "
           "by decreasing (neighbour count, index); a cluster is the candidate, then its unassigned "
           "neighbours by index.",
    mistakes=[
        Mistake("similarity instead of distance",
                lambda F, cutoff=0.35: _butina(F, cutoff, rule="similarity"),
                "you compared the Tanimoto *similarity* with the cutoff; Butina's cutoff is on the "
                "distance 1 - similarity (neighbours have 1 - T <= cutoff)."),
        Mistake("strict cutoff", lambda F, cutoff=0.35: _butina(F, cutoff, rule="strict"),
                "a pair at exactly the cutoff distance is a neighbour: use <=, as RDKit does."),
        Mistake("centroid not first", exclusive(_butina_sorted, _butina_lowest),
                "your clusters are sorted by index; the centroid (the candidate that started the "
                "cluster) comes first, then its neighbours in increasing index order."),
        Mistake("ties lowest index first", exclusive(_butina_lowest, _butina_sorted),
                "among candidates with equal neighbour counts you started with the lowest index; "
                "RDKit sorts (count, index) pairs in reverse, so the highest index goes first."),
        Mistake("assigned neighbours reused", lambda F, cutoff=0.35: _butina(F, cutoff, exclusive=False),
                "a molecule already in a cluster was put in another one too: a new cluster takes only "
                "neighbours that are still unassigned."),
        Mistake("sorted by size", lambda F, cutoff=0.35: _butina(F, cutoff, output="by size"),
                "you sorted the clusters by size; return them in the order they were created."),
    ],
)


# --- scaffold_split ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1 << 16)  # a pure function of the SMILES, asked for many times a case
def scaffold_of(smiles: str, include_chirality: bool = False) -> str:
    from rdkit.Chem.Scaffolds import MurckoScaffold

    return MurckoScaffold.MurckoScaffoldSmiles(smiles, includeChirality=include_chirality)


def _judge_split(fn, smiles, test_fraction=0.2, seed=0):
    """Run the learner's split twice and report its properties as plain data."""
    result = fn(list(smiles), test_fraction=test_fraction, seed=seed)
    again = fn(list(smiles), test_fraction=test_fraction, seed=seed)
    if not isinstance(result, tuple) or len(result) != 2:
        raise WrongOutput(f"scaffold_split should return a tuple (train_idx, test_idx); got "
                          f"{type_name(result)}")
    train, test = (list(part) for part in result)
    for part in (train, test):
        if not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in part):
            raise WrongOutput("train_idx and test_idx should hold integer indices into `smiles`")
    n = len(smiles)
    scaffolds = [scaffold_of(s) for s in smiles]
    groups: dict[str, int] = {}
    for s in scaffolds:
        groups[s] = groups.get(s, 0) + 1
    largest = max(groups.values(), default=0)
    valid = all(0 <= int(i) < n for i in train + test)
    partition = valid and sorted(int(i) for i in train + test) == list(range(n))
    return {
        "every index in exactly one part": bool(partition),
        "no scaffold on both sides": _leak_kind(smiles, scaffolds, train, test) if valid else "invalid",
        "test size within one scaffold group of the target": abs(len(test) - test_fraction * n) <= largest,
        "the same split for the same seed": [list(map(int, p)) for p in again] == [train, test]
        if isinstance(again, tuple) else False,
    }


def _leak_kind(smiles, scaffolds, train, test):
    """True when no scaffold is on both sides, else which kind leaks: only the empty scaffold of
    acyclic molecules, only stereoisomers (no leak once chirality is kept), or ring scaffolds."""
    shared = {scaffolds[int(i)] for i in train} & {scaffolds[int(i)] for i in test}
    if not shared:
        return True
    if shared == {""}:
        return "acyclic molecules"
    chiral = [scaffold_of(s, True) for s in smiles]
    if not {chiral[int(i)] for i in train} & {chiral[int(i)] for i in test}:
        return "stereoisomers"
    return "ring scaffolds"


_LEAK_MESSAGES = {
    "acyclic molecules": "acyclic molecules are on both sides: they all share the empty scaffold \"\" "
                         "and form one group",
    "stereoisomers": "stereoisomers of one ring system are on both sides: the scaffold is taken "
                     "without chirality",
    "ring scaffolds": "a Bemis-Murcko scaffold appears in both train and test: the split leaks "
                      "scaffolds",
    "invalid": "some indices are not valid positions in `smiles`",
}

_SPLIT_MESSAGES = {
    "every index in exactly one part": "every index 0..N-1 must be in exactly one of train_idx and "
                                       "test_idx",
    "no scaffold on both sides": "a Bemis-Murcko scaffold appears in both train and test: the split "
                                 "leaks scaffolds",
    "test size within one scaffold group of the target": "your test set's size is further from "
                                                         "test_fraction x N than the largest scaffold group",
    "the same split for the same seed": "two calls with the same seed gave different splits: draw "
                                        "with np.random.default_rng(seed) and shuffle a sorted list "
                                        "of scaffolds (set order is not reproducible)",
}


def _split_compare(got: Any, expected: Any) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, f"the split could not be judged ({type_name(got)})")
    for key, message in _SPLIT_MESSAGES.items():
        if got.get(key) != expected.get(key):
            return Verdict(False, _LEAK_MESSAGES.get(got.get(key), message))
    return PASS


def _random_split(smiles, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(len(smiles))
    n_test = int(round(test_fraction * len(smiles)))
    return sorted(order[n_test:].tolist()), sorted(order[:n_test].tolist())


def _grouped_split(smiles, test_fraction=0.2, seed=0, key=None, fraction_of="test"):
    key = key or (lambda text, index: scaffold_of(text))
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(smiles):
        groups.setdefault(key(s, i), []).append(i)
    names = sorted(groups)
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    fraction = test_fraction if fraction_of == "test" else 1.0 - test_fraction
    target = fraction * len(smiles)
    train, test = [], []
    for name in names:
        members = groups[name]
        if abs(len(test) + len(members) - target) < abs(len(test) - target):
            test += members
        else:
            train += members
    return sorted(train), sorted(test)


_STEREO_SERIES = [f"{r}C1CC[C@H]2CCCC[C@{h}H]2C1" for r in ("", "O", "N", "Cl", "CO", "CN", "F", "Br")
                  for h in ("", "@")] + [f"{r}c1ccccc1" for r in ("C", "O", "N", "Cl")]


def _split_public(rng):
    from ....datasets.molecules import load_chembl_pic50, load_nci_smiles

    yield Case((["c1ccccc1O", "c1ccccc1N", "CCO", "CCCN", "C1CCNCC1", "OC1CCNCC1", "c1ccncc1C",
                 "CC(=O)O", "c1ccc2ccccc2c1", "Cc1ccc2ccccc2c1"],), {"test_fraction": 0.3, "seed": 1},
               label="10 molecules: benzenes, piperidines, naphthalenes and acyclics")
    yield Case((list(load_chembl_pic50().smiles),), label="the 1,017 ChEMBL sulfonamides, 20 % test")
    yield Case((list(load_nci_smiles(300).smiles.dropna()),), {"test_fraction": 0.25, "seed": 7},
               label="300 NCI compounds (many acyclic: one shared empty scaffold)")
    yield Case((_STEREO_SERIES,), {"test_fraction": 0.5, "seed": 3},
               label="cis and trans decalins: stereoisomers share a scaffold")
    yield Case((["CCO"],), label="a single molecule")


def _split_hidden(rng):
    from ....datasets.molecules import load_target_ligands

    ligands = load_target_ligands()
    yield Case((list(ligands.smiles),), {"test_fraction": 0.1, "seed": 11}, label="436 kinase ligands, 10 %")
    yield Case((list(ligands.smiles[ligands.target == "CDK2"]),), {"test_fraction": 0.5, "seed": 5},
               label="47 CDK2 ligands, half in test")
    yield Case((_STEREO_SERIES[::-1],), {"test_fraction": 0.4, "seed": 2}, label="stereoisomers, reversed")
    yield Case((["CC", "CCC", "CCCC", "CCCCC"],), {"test_fraction": 0.5, "seed": 0}, label="acyclic only")


SCAFFOLD_SPLIT = Exercise(
    name="scaffold_split",
    points=2,
    public_cases=_split_public,
    hidden_cases=_split_hidden,
    compare=_split_compare,
    invoke=_judge_split,
    time_limit=20.0,
    mistakes=[
        Mistake("random split", _random_split,
                "your split leaks scaffolds, as a random split of molecules does: assign whole "
                "scaffold groups (all molecules sharing a Bemis-Murcko scaffold) to one side."),
        Mistake("chirality kept",
                lambda smiles, test_fraction=0.2, seed=0: _grouped_split(
                    smiles, test_fraction, seed, key=lambda s, i: scaffold_of(s, True)),
                "your groups keep stereochemistry, so stereoisomers of one ring system land on both "
                "sides; use MurckoScaffoldSmiles with its default options (no chirality)."),
        Mistake("acyclic molecules apart",
                lambda smiles, test_fraction=0.2, seed=0: _grouped_split(
                    smiles, test_fraction, seed, key=lambda s, i: scaffold_of(s) or f"acyclic {i}"),
                "you gave every acyclic molecule its own group; they all share the empty scaffold "
                "\"\" and form one group."),
        Mistake("train fraction",
                lambda smiles, test_fraction=0.2, seed=0: _grouped_split(
                    smiles, test_fraction, seed, fraction_of="train"),
                "your test set has about (1 - test_fraction) of the molecules: test_fraction is the "
                "share that goes to test."),
    ],
)


# --- predict_target ------------------------------------------------------------------------------

def _max_similarities(query, ligands_by_target, reduce=np.max):
    q = np.asarray(query) != 0
    best = {}
    for target, ligands in ligands_by_target.items():
        F = np.asarray(ligands) != 0
        if F.ndim != 2 or len(F) == 0:
            continue
        both = (F & q).sum(axis=1)
        union = F.sum(axis=1) + q.sum() - both
        best[target] = float(reduce(np.where(union > 0, both / np.where(union > 0, union, 1), 0.0)))
    if not best:
        raise ValueError("no ligands")
    return best


def _pick(best, order):
    names = list(best) if order == "insertion" else sorted(best)
    if order == "last":
        names = sorted(best)[::-1]
    return max(names, key=lambda t: best[t])


def _ties_insertion(q, d):
    return _pick(_max_similarities(q, d), "insertion")


def _ties_last(q, d):
    return _pick(_max_similarities(q, d), "last")


def _by_mean(q, d):
    return _pick(_max_similarities(q, d, reduce=np.mean), "sorted")


def _targets(rng, n_bits=64):
    return {name: random_bits(rng, (k, n_bits), 0.3) for name, k in (("EGFR", 6), ("CDK2", 5), ("c-Met", 4))}


def _held_out(all_fps, target, index):
    """One known ligand as the query, the others (itself removed) as the reference sets."""
    fps = dict(all_fps)
    query = fps[target][index]
    fps[target] = np.delete(fps[target], index, axis=0)
    return query, fps


def _predict_public(rng):
    refs = {"b": np.array([[1, 1, 0, 0], [0, 0, 1, 1]]), "a": np.array([[1, 0, 0, 0]])}
    yield Case((np.array([1, 1, 0, 0]), refs), label="two targets, one exact match")
    tie = {"kinase Z": np.array([[1, 1, 0, 0]]), "kinase A": np.array([[1, 1, 0, 0], [0, 0, 0, 1]]),
           "kinase M": np.array([[1, 0, 0, 0]])}
    yield Case((np.array([1, 1, 0, 0]), tie), label="a tie between two targets (not in sorted order)")
    ties = {"BRAF": np.array([[1, 1, 0, 0], [0, 0, 1, 0]]), "DDR1": np.array([[1, 1, 0, 0], [0, 0, 0, 1]]),
            "CSK": np.array([[1, 1, 0, 0]]), "AKT1": np.array([[1, 1, 0, 0], [0, 0, 1, 1]])}
    yield Case((np.array([1, 1, 0, 0]), ties), label="a four-way tie, targets given in no particular order")
    targets = _targets(rng)
    targets["PARP1"] = np.zeros((0, 64), dtype=np.uint8)
    yield Case((random_bits(rng, 64, 0.3), targets), label="a target with no known ligand")
    yield Case((np.array([1, 0, 1]), {"CDK2": np.zeros((0, 3)), "EGFR": np.zeros((0, 3))}),
               label="no ligands at all: ValueError")
    yield Case(([1, 0, 1, 1], {"x": [[1, 0, 1, 0]], "y": [[0, 1, 0, 0], [1, 0, 1, 1]]}),
               label="Python lists")
    query, fps = _held_out(_ligand_fingerprints(), "CDK2", 3)
    yield Case((query, fps), label="a held-out CDK2 ligand against the EGFR, c-Met and CDK2 ligands")
    yield Case((np.zeros(4), {"p": np.array([[1, 0, 0, 0]]), "q": np.array([[0, 1, 0, 0]])}),
               label="an all-zero query: every similarity is 0 (a tie)")


def _predict_hidden(rng):
    all_fps = _ligand_fingerprints()
    for target, index in (("c-Met", 10), ("EGFR", 200), ("CDK2", 30)):
        query, fps = _held_out(all_fps, target, index)
        yield Case((query, fps), label=f"a held-out {target} ligand")
    targets = _targets(rng, 128)
    query = targets["c-Met"][1].copy()
    targets["EGFR"] = np.vstack([targets["EGFR"], query])
    yield Case((query, targets), label="a three-way tie candidate, mixed-case names")
    yield Case((np.array([1, 1]), {}), label="an empty dictionary: ValueError")


PREDICT_TARGET = Exercise(
    name="predict_target",
    points=2,
    public_cases=_predict_public,
    hidden_cases=_predict_hidden,
    compare=with_value_errors(allclose(), "when no target has any ligand"),
    invoke=call_catching_value_error,
    time_limit=10.0,
    advice="for each target with ligands take the highest Tanimoto similarity to the query; the "
           "answer is the target with the highest, ties to the first name in sorted(...) order.",
    mistakes=[
        Mistake("ties by dictionary order", exclusive(_ties_insertion, _ties_last, _by_mean),
                "on a tie you returned the target that comes first in the dictionary; a dict's order "
                "is how it was built, not a rule: break ties by the target name in sorted order."),
        Mistake("ties to the last name", exclusive(_ties_last, _ties_insertion, _by_mean),
                "on a tie you returned the name that sorts last; ties go to the first in sorted order."),
        Mistake("mean similarity", exclusive(_by_mean, _ties_insertion, _ties_last),
                "you ranked targets by their *mean* similarity; the nearest-neighbour rule uses the "
                "single most similar ligand (the maximum)."),
        Mistake("least similar",
                lambda q, d: _pick({k: -v for k, v in _max_similarities(q, d, np.min).items()}, "sorted"),
                "you picked the target of the least similar ligand: a similarity is higher for closer "
                "molecules (a distance is lower)."),
    ],
)

EXERCISES = [BUTINA_CLUSTERS, SCAFFOLD_SPLIT, PREDICT_TARGET]

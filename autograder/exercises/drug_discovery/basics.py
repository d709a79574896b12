"""Molecules as data: potency on the pIC50 scale and Lipinski's rule of five."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...compare import PASS, Verdict, allclose
from ...registry import Case, Exercise, Mistake, reference
from ._shared import (
    ASPIRIN,
    ATORVASTATIN,
    CHAPTER,
    ERYTHROMYCIN,
    IMATINIB_MESYLATE,
    NCI_381,
    NCI_443,
    NCI_1891,
    NCI_3140,
    NCI_4715,
    UNPARSABLE,
    call_catching_value_error,
    exclusive,
    parse,
    with_value_errors,
)

# --- pic50 ---------------------------------------------------------------------------------------

_MOLAR = {"M": 1.0, "mM": 1e-3, "uM": 1e-6, "nM": 1e-9, "pM": 1e-12}


def _pic50_scalar_type(inner):
    def compare(got: Any, expected: Any) -> Verdict:
        if isinstance(expected, float) and isinstance(got, np.ndarray):
            return Verdict(False, f"a single IC50 gives a single pIC50 as a Python float; yours is a "
                                  f"NumPy array of shape {got.shape} (use float(...))")
        return inner(got, expected)

    return compare


def _pic50_with(factor_of, log=np.log10, sign=-1.0):
    def mistaken(ic50, unit="nM"):
        values = np.asarray(ic50, dtype=float) * factor_of(unit)
        result = sign * log(values)
        return float(result) if np.ndim(ic50) == 0 else result

    return mistaken


def _pic50_public(rng):
    yield Case((50.0,), label="one IC50 of 50 nM (the default unit)")
    yield Case((np.array([1.0, 10.0, 100.0, 1000.0]),), label="a dilution series in nM")
    yield Case(([0.5, 2.0, 35.0],), {"unit": "uM"}, label="a Python list in µM")
    yield Case((np.array([[3e-7, 1e-9], [2e-5, 5e-6]]),), {"unit": "M"}, label="a 2 x 2 array in mol/L")
    yield Case((0.2,), {"unit": "mM"}, label="0.2 mM")
    yield Case((750.0,), {"unit": "pM"}, label="750 pM")
    yield Case((10.0,), {"unit": "ug/mL"}, label="a unit that is not a concentration: ValueError")


def _pic50_hidden(rng):
    yield Case((10 ** rng.uniform(-1, 5, size=40),), label="40 IC50s in nM over six decades")
    yield Case((rng.uniform(0.01, 100, size=(3, 5)),), {"unit": "uM"}, label="a 3 x 5 array in µM")
    yield Case(([1.0],), {"unit": "M"}, label="a one-element list in mol/L")
    yield Case((1e-3,), {"unit": "nM"}, label="a femtomolar binder written in nM")
    yield Case((3,), {"unit": "uM"}, label="an integer IC50")
    yield Case((12.0,), {"unit": "nm"}, label="a unit in the wrong case: ValueError")


PIC50 = Exercise(
    name="pic50",
    points=1,
    public_cases=_pic50_public,
    hidden_cases=_pic50_hidden,
    compare=with_value_errors(_pic50_scalar_type(allclose(rtol=1e-9, atol=1e-9)),
                              "for a unit other than M, mM, uM, nM or pM"),
    invoke=call_catching_value_error,
    time_limit=5.0,
    advice="convert to mol/L first (1 nM = 1e-9 M), then take -log10.",
    mistakes=[
        Mistake("natural log", _pic50_with(lambda u: _MOLAR[u], log=np.log),
                "your values match -ln(IC50 in M): pIC50 uses the base-10 logarithm (np.log10), so "
                "that one unit of pIC50 is a tenfold change in potency."),
        Mistake("sign lost", _pic50_with(lambda u: _MOLAR[u], sign=1.0),
                "your values are negative: pIC50 = -log10(IC50 in mol/L); the minus sign makes a "
                "more potent compound (smaller IC50) score higher."),
        Mistake("µM taken as nM", _pic50_with(lambda u: 1e-9 if u == "uM" else _MOLAR[u]),
                "your µM values are 3 too high: 1 µM = 1e-6 mol/L, not 1e-9 (you treated µM as nM)."),
        Mistake("no conversion", _pic50_with(lambda u: 1.0 if u in _MOLAR else _MOLAR[u]),
                "you took -log10 of the number as given: convert it to mol/L first (nM x 1e-9, "
                "µM x 1e-6, ...); a 1 nM inhibitor has pIC50 9."),
        Mistake("unit factor divided",
                _pic50_with(lambda u: 1.0 / _MOLAR[u] if u in _MOLAR else _MOLAR[u]),
                "you divided by the unit's factor instead of multiplying: 50 nM is 50 x 1e-9 mol/L."),
    ],
)


# --- lipinski_violations / passes_rule_of_five -------------------------------------------------

def _violations(smiles, mol_weight="MolWt", donors="NumHDonors", acceptors="NumHAcceptors",
                strict=True, largest_fragment=False):
    from rdkit.Chem import Crippen, Descriptors, Lipinski, rdMolDescriptors
    from rdkit.Chem.rdmolops import GetMolFrags

    mol = parse(smiles)
    if largest_fragment:
        mol = max(GetMolFrags(mol, asMols=True), key=lambda m: m.GetNumHeavyAtoms())
    weight = {"MolWt": Descriptors.MolWt, "ExactMolWt": Descriptors.ExactMolWt}[mol_weight](mol)
    donor = {"NumHDonors": Lipinski.NumHDonors, "NHOHCount": Lipinski.NHOHCount}[donors](mol)
    acceptor = {"NumHAcceptors": Lipinski.NumHAcceptors, "NOCount": Lipinski.NOCount,
                "rdMolDescriptors": rdMolDescriptors.CalcNumLipinskiHBA}[acceptors](mol)
    values = (weight, Crippen.MolLogP(mol), donor, acceptor)
    limits = (500, 5, 5, 10)
    return sum((v > t) if strict else (v >= t) for v, t in zip(values, limits))


_LIPINSKI_PUBLIC = [
    (ASPIRIN, "aspirin: no violation"),
    (ATORVASTATIN, "atorvastatin: heavy and lipophilic"),
    (IMATINIB_MESYLATE, "imatinib mesylate: the salt counts"),
    (NCI_4715, "NCI 4715: average mass over 500, monoisotopic mass under"),
    (NCI_1891, "NCI 1891: exactly 5 H-bond donors"),
    (NCI_443, "NCI 443: a polyamine"),
    (NCI_3140, "NCI 3140: many N and O atoms"),
    (ERYTHROMYCIN, "erythromycin: a macrolide beyond the rule of five"),
    (NCI_381, "NCI 381: a lipophilic amine as its phosphate salt"),
    (UNPARSABLE[0], "an unclosed ring: ValueError naming the SMILES"),
]


def _hidden_nci(rng, n):
    from rdkit import Chem, rdBase

    from ....datasets.molecules import load_nci_smiles

    frame = load_nci_smiles()
    picked = []
    for index in rng.permutation(len(frame)):
        text = frame.smiles.iloc[index]
        with rdBase.BlockLogs():
            parsed = Chem.MolFromSmiles(text)
        if parsed is not None:
            picked.append((text, f"NCI compound {frame.nci_id.iloc[index]}"))
        if len(picked) == n:
            return picked
    return picked


def _lipinski_public(rng):
    for smiles, label in _LIPINSKI_PUBLIC:
        yield Case((smiles,), label=label)


def _lipinski_hidden(rng):
    for smiles, label in _hidden_nci(rng, 10):
        yield Case((smiles,), label=label)
    yield Case(("CCCCCCCCCCCCCCCCSSCCCCCCCCCCCCCCCC",), label="a long lipid-like disulfide")
    yield Case(("NC(=N)NC(N)=O.OS(O)(=O)=O",), label="a sulfate salt")
    yield Case((UNPARSABLE[1],), label="a five-membered aromatic ring that cannot be kekulised")
    yield Case((UNPARSABLE[2],), label="a carbon with six bonds")


def _integer_compare(got: Any, expected: Any) -> Verdict:
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        return Verdict(False, f"your output should be an int (a count of violations); got "
                              f"{type(got).__name__}")
    if int(got) == int(expected):
        return PASS
    return Verdict(False, "your count of violations is wrong",
                   f"your count is {int(got)}; expected {int(expected)}")


_VIOLATION_MISTAKES = [
    ("ExactMolWt", {"mol_weight": "ExactMolWt"},
     "you used the monoisotopic mass (ExactMolWt); Lipinski's 500 Da is the average molecular "
     "weight, Descriptors.MolWt (they differ by up to a dalton per bromine)."),
    ("thresholds inclusive", {"strict": False},
     "you counted a value equal to its limit as a violation: the conditions are MW > 500, "
     "logP > 5, donors > 5, acceptors > 10 (strictly greater)."),
    ("largest fragment only", {"largest_fragment": True},
     "you dropped the salt or solvent fragments; here the molecule is computed as parsed, every "
     "fragment included (a salt form is what is weighed and dosed)."),
    ("NHOHCount for donors", {"donors": "NHOHCount"},
     "you counted N-H and O-H hydrogens (NHOHCount, Lipinski's original proxy); the exercise uses "
     "Lipinski.NumHDonors, which counts donor atoms."),
    ("NOCount for acceptors", {"acceptors": "NOCount"},
     "you counted every N and O atom (NOCount); the exercise uses Lipinski.NumHAcceptors, "
     "RDKit's acceptor definition."),
]


def _violations_with(options):
    return lambda smiles: _violations(smiles, **options)


LIPINSKI_VIOLATIONS = Exercise(
    name="lipinski_violations",
    points=1,
    public_cases=_lipinski_public,
    hidden_cases=_lipinski_hidden,
    compare=with_value_errors(_integer_compare, "for a SMILES RDKit cannot parse"),
    invoke=call_catching_value_error,
    time_limit=5.0,
    advice="check each of the four conditions on its own (Descriptors.MolWt, Crippen.MolLogP, "
           "Lipinski.NumHDonors, Lipinski.NumHAcceptors) against its limit.",
    mistakes=[Mistake(name, exclusive(_violations_with(opts),
                                      *[_violations_with(o) for n, o, _ in _VIOLATION_MISTAKES if n != name]),
                      hint) for name, opts, hint in _VIOLATION_MISTAKES],
)


def _ro5_public(rng):
    for smiles, label in _LIPINSKI_PUBLIC:
        yield Case((smiles,), label=label)


PASSES_RULE_OF_FIVE = Exercise(
    name="passes_rule_of_five",
    points=1,
    public_cases=_ro5_public,
    hidden_cases=_lipinski_hidden,
    compare=with_value_errors(allclose(), "for a SMILES RDKit cannot parse"),
    invoke=call_catching_value_error,
    time_limit=5.0,
    mistakes=[
        Mistake("any violation rejects",
                lambda smiles: reference(CHAPTER, "lipinski_violations")(smiles) == 0,
                "you rejected a molecule for a single violation; the rule of five flags a "
                "compound when it breaks two or more of the four conditions (at most one is "
                "allowed)."),
        Mistake("two allowed", lambda smiles: reference(CHAPTER, "lipinski_violations")(smiles) <= 2,
                "you allowed two violations; Lipinski's rule allows at most one."),
    ],
)

EXERCISES = [PIC50, LIPINSKI_VIOLATIONS, PASSES_RULE_OF_FIVE]


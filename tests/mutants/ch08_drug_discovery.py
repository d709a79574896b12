"""Chapter 08_drug_discovery: mistakes made with molecules, fingerprints, screens, splits, target
prediction, optimisation and QSAR, and other correct ways to write each exercise."""

from tests.mutants import Alternative, Mutant

CHAPTER = "08_drug_discovery"

_PIC50 = '''
def pic50(ic50, unit="nM"):
    molar = {{"M": 1.0, "mM": 1e-3, "uM": {um}, "nM": 1e-9, "pM": 1e-12}}
    {check}
    values = np.asarray(ic50, dtype=float)
    result = {expr}
    return {ret}
'''


def _pic50(um="1e-6", check="if unit not in molar: raise ValueError(unit)",
           expr="-np.log10(values * molar[unit])", ret="float(result) if values.ndim == 0 else result"):
    return _PIC50.format(um=um, check=check, expr=expr, ret=ret)


_LIPINSKI = '''
def lipinski_violations(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"cannot parse {{smiles}}")
    {prep}
    values = [{mw}(mol), Crippen.MolLogP(mol), {don}(mol), {acc}(mol)]
    return sum(v {op} t for v, t in zip(values, [500, 5, 5, 10]))
'''


def _lipinski(prep="pass", mw="Descriptors.MolWt", don="Lipinski.NumHDonors",
              acc="Lipinski.NumHAcceptors", op=">"):
    return _LIPINSKI.format(prep=prep, mw=mw, don=don, acc=acc, op=op)


_RO5 = '''
def passes_rule_of_five(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"cannot parse {{smiles}}")
    {prep}
    values = [{mw}(mol), Crippen.MolLogP(mol), Lipinski.NumHDonors(mol), Lipinski.NumHAcceptors(mol)]
    count = sum(v > t for v, t in zip(values, [500, 5, 5, 10]))
    return {ret}
'''


def _ro5(prep="pass", mw="Descriptors.MolWt", ret="count <= 1"):
    return _RO5.format(prep=prep, mw=mw, ret=ret)


_TANIMOTO = '''
def tanimoto(a, b):
    a, b = np.asarray(a) {cast}, np.asarray(b) {cast}
    both = np.sum(a * b)
    {denominator}
    {empty}
    return float(both / union)
'''


def _tanimoto(cast="!= 0", denominator="union = np.sum(a) + np.sum(b) - both",
              empty="if union == 0: return 0.0"):
    return _TANIMOTO.format(cast=cast, denominator=denominator, empty=empty)


_BULK = '''
def bulk_tanimoto(query, fingerprints):
    q = np.asarray(query) != 0
    F = np.asarray(fingerprints).reshape(-1, q.size) != 0
    both = (F & q).sum(axis=1)
    union = {union}
    {body}
'''


def _bulk(union="F.sum(axis=1) + q.sum() - both",
          body="return np.where(union > 0, both / np.maximum(union, 1), 0.0)"):
    return _BULK.format(union=union, body=body)


_MORGAN = '''
def morgan_fingerprint(smiles, radius={default}, n_bits=2048):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"cannot parse {{smiles}}")
    {prep}
    generator = rdFingerprintGenerator.GetMorganGenerator({options})
    return generator.{method}(mol).astype(np.uint8)
'''


def _morgan(default="2", prep="pass", options="radius=radius, fpSize=n_bits",
            method="GetFingerprintAsNumPy"):
    return _MORGAN.format(default=default, prep=prep, options=options, method=method)


_EF = '''
def enrichment_factor(scores, is_active, fraction=0.01):
    scores = np.asarray(scores, dtype=float)
    active = np.asarray(is_active).astype(bool)
    N = len(scores)
    if N == 0 or active.sum() == 0:
        return 0.0
    order = {order}
    n = {n}
    found = active[order[:n]].sum()
    return float({ef})
'''


def _ef(order='np.argsort(-scores, kind="stable")', n="max(1, math.ceil(fraction * N))",
        ef="(found / n) / (active.sum() / N)"):
    return _EF.format(order=order, n=n, ef=ef)


_BUTINA = '''
def butina_clusters(fingerprints, cutoff=0.35):
    F = np.asarray(fingerprints) != 0
    n = len(F)
    both = F.astype(int) @ F.T.astype(int)
    union = F.sum(1)[:, None] + F.sum(1)[None, :] - both
    sim = np.where(union > 0, both / np.maximum(union, 1), 0.0)
    nbrs = [np.flatnonzero({close}) for i in range(n)]
    order = sorted(range(n), key={key}, reverse=True)
    seen = np.zeros(n, dtype=bool)
    clusters = []
    for c in order:
        if seen[c]:
            continue
        members = [c] + [int(j) for j in nbrs[c] if j != c and {free}]
        seen[members] = True
        clusters.append({members})
    return {result}
'''


def _butina(close="1.0 - sim[i] <= cutoff", key="lambda i: (len(nbrs[i]), i)", free="not seen[j]",
            members="members", result="clusters"):
    return _BUTINA.format(close=close, key=key, free=free, members=members, result=result)


_SPLIT = '''
def scaffold_split(smiles, test_fraction=0.2, seed=0):
    groups = {{}}
    for i, s in enumerate(smiles):
        key = {key}
        groups.setdefault(key, []).append(i)
    names = sorted(groups)
    {shuffle}
    target = {target} * len(smiles)
    train, test = [], []
    for name in names:
        g = groups[name]
        if abs(len(test) + len(g) - target) < abs(len(test) - target):
            test += g
        else:
            train += g
    return sorted(train), sorted(test)
'''


def _split(key="MurckoScaffold.MurckoScaffoldSmiles(s)",
           shuffle="np.random.default_rng(seed).shuffle(names)", target="test_fraction"):
    return _SPLIT.format(key=key, shuffle=shuffle, target=target)


_PREDICT = '''
def predict_target(query_fp, ligands_by_target):
    q = np.asarray(query_fp) != 0
    best = {{}}
    for target, ligands in ligands_by_target.items():
        F = np.asarray(ligands).reshape(-1, q.size) != 0
        {skip}
        both = (F & q).sum(axis=1)
        union = F.sum(axis=1) + q.sum() - both
        sims = np.where(union > 0, both / np.maximum(union, 1), 0.0)
        best[target] = {reduce}(sims)
    if not best:
        {none}
    return {pick}
'''


def _predict(skip="if len(F) == 0: continue", reduce="np.max",
             none='raise ValueError("no ligands")',
             pick="max(sorted(best), key=lambda t: best[t])"):
    return _PREDICT.format(skip=skip, reduce=reduce, none=none, pick=pick)


_OPT = '''
def optimize_molecule(smiles, transformations, score, n_steps=5):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"cannot parse {{smiles}}")
    current = {start}
    current_score = score(Chem.MolToSmiles(mol))
    reactions = [rdChemReactions.ReactionFromSmarts(t) for t in transformations]
    for _ in range({steps}):
        m = Chem.MolFromSmiles(current)
        products = []
        for rxn in reactions:
            for outcome in rxn.RunReactants((m,)){outcomes}:
                p = outcome[0]
                try:
                    Chem.SanitizeMol(p)
                except Exception:
                    continue
                products.append(Chem.MolToSmiles(p))
        if not products:
            break
        {choose}
    return current
'''

_BEST = '''scored = {{p: score(p) for p in products}}
        best = max(scored.values())
        if {accept}:
            break
        current, current_score = {pick}, best'''


def _opt(start="Chem.MolToSmiles(mol)", steps="n_steps", outcomes="", choose=None,
         accept="not best > current_score", pick="min(p for p in scored if scored[p] == best)"):
    choose = choose or _BEST.format(accept=accept, pick=pick)
    return _OPT.format(start=start, steps=steps, outcomes=outcomes, choose=choose)


_FIRST_IMPROVING = '''better = [p for p in products if score(p) > current_score]
        if not better:
            break
        current = better[0]
        current_score = score(current)'''

_QSAR = '''
def build_qsar_model(fingerprints, pic50_values):
    {body}
'''


def _qsar(body):
    return _QSAR.format(body=body)


MUTANTS = [
    # pic50
    Mutant("pic50", "natural log", _pic50(expr="-np.log(values * molar[unit])"), "base-10 logarithm"),
    Mutant("pic50", "sign lost", _pic50(expr="np.log10(values * molar[unit])"), "the minus sign"),
    Mutant("pic50", "µM taken as nM", _pic50(um="1e-9"), "treated µM as nM"),
    Mutant("pic50", "no unit conversion", _pic50(expr="-np.log10(values)"), "convert it to mol/L first"),
    Mutant("pic50", "unknown unit taken as nM",
           _pic50(check="molar = dict(molar); molar.setdefault(unit, 1e-9)"), "should raise ValueError"),
    Mutant("pic50", "flattens the array", _pic50(ret="float(result) if values.ndim == 0 else result.ravel()"),
           "wrong shape"),
    # lipinski_violations
    Mutant("lipinski_violations", "ExactMolWt", _lipinski(mw="Descriptors.ExactMolWt"), "monoisotopic mass"),
    Mutant("lipinski_violations", "limits inclusive", _lipinski(op=">="), "strictly greater"),
    Mutant("lipinski_violations", "largest fragment only",
           _lipinski(prep="mol = max(Chem.GetMolFrags(mol, asMols=True), key=lambda m: m.GetNumAtoms())"),
           "dropped the salt"),
    Mutant("lipinski_violations", "NHOHCount for donors", _lipinski(don="Lipinski.NHOHCount"), "NHOHCount"),
    Mutant("lipinski_violations", "NOCount for acceptors", _lipinski(acc="Lipinski.NOCount"), "NOCount"),
    # passes_rule_of_five
    Mutant("passes_rule_of_five", "rejects on any violation", _ro5(ret="count == 0"), "single violation"),
    Mutant("passes_rule_of_five", "two violations allowed", _ro5(ret="count <= 2"), "at most one"),
    Mutant("passes_rule_of_five", "returns the count", _ro5(ret="count"), "should be True or False"),
    Mutant("passes_rule_of_five", "unparsable SMILES judged False", '''
def passes_rule_of_five(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return False
    values = [Descriptors.MolWt(mol), Crippen.MolLogP(mol),
              Lipinski.NumHDonors(mol), Lipinski.NumHAcceptors(mol)]
    return sum(v > t for v, t in zip(values, [500, 5, 5, 10])) <= 1
''', "should raise ValueError"),
    # tanimoto
    Mutant("tanimoto", "union as |a| + |b|", _tanimoto(denominator="union = np.sum(a) + np.sum(b)"),
           "counts the shared bits twice"),
    Mutant("tanimoto", "NaN for two empty fingerprints", _tanimoto(empty="pass"), "defined as 0.0 there"),
    Mutant("tanimoto", "Dice coefficient",
           _tanimoto(denominator="union = (np.sum(a) + np.sum(b)) / 2"), "Dice coefficient"),
    Mutant("tanimoto", "values instead of bits", _tanimoto(cast=".astype(float)"),
           "turn the arrays into booleans"),
    Mutant("tanimoto", "overlap coefficient",
           _tanimoto(denominator="union = min(np.sum(a), np.sum(b))"), "overlap coefficient"),
    # bulk_tanimoto
    Mutant("bulk_tanimoto", "union as the sum", _bulk(union="F.sum(axis=1) + q.sum()"),
           "counts the shared bits twice"),
    Mutant("bulk_tanimoto", "NaN for empty rows", _bulk(body="return both / union"), "gives 0/0"),
    Mutant("bulk_tanimoto", "distance", _bulk(
        body="return 1.0 - np.where(union > 0, both / np.maximum(union, 1), 0.0)"), "Tanimoto distance"),
    Mutant("bulk_tanimoto", "Python list", _bulk(
        body="return [float(b / u) if u else 0.0 for b, u in zip(both, union)]"), "Python list"),
    # morgan_fingerprint
    Mutant("morgan_fingerprint", "ECFP4 as radius 4", _morgan(default="4"), "ECFP4 is radius 2"),
    Mutant("morgan_fingerprint", "count fingerprint", _morgan(method="GetCountFingerprintAsNumPy"),
           "count fingerprint"),
    Mutant("morgan_fingerprint", "chirality included",
           _morgan(options="radius=radius, fpSize=n_bits, includeChirality=True"), "includes chirality"),
    Mutant("morgan_fingerprint", "feature invariants (FCFP)", _morgan(
        options="radius=radius, fpSize=n_bits, "
                "atomInvariantsGenerator=rdFingerprintGenerator.GetMorganFeatureAtomInvGen()"), "FCFP"),
    Mutant("morgan_fingerprint", "explicit hydrogens", _morgan(prep="mol = Chem.AddHs(mol)"),
           "added explicit hydrogens"),
    Mutant("morgan_fingerprint", "n_bits ignored", _morgan(options="radius=radius"), "fpSize"),
    # enrichment_factor
    Mutant("enrichment_factor", "floor", _ef(n="max(1, math.floor(fraction * N))"), "rounded *up*"),
    Mutant("enrichment_factor", "round", _ef(n="max(1, round(fraction * N))"), "rounded *up*"),
    Mutant("enrichment_factor", "fraction of the actives found", _ef(ef="found / active.sum()"),
           "the recall"),
    Mutant("enrichment_factor", "ascending ranking", _ef(order='np.argsort(scores, kind="stable")'),
           "lowest scores first"),
    Mutant("enrichment_factor", "ties reversed", _ef(order="np.argsort(scores)[::-1]"), "kind='stable'"),
    Mutant("enrichment_factor", "exact ceiling",
           _ef(n="max(1, math.ceil(__import__('fractions').Fraction(str(fraction)) * N))"),
           "computed in floating point"),
    # butina_clusters
    Mutant("butina_clusters", "similarity compared with the cutoff", _butina(close="sim[i] <= cutoff"),
           "*similarity*"),
    Mutant("butina_clusters", "strict cutoff", _butina(close="1.0 - sim[i] < cutoff"), "use <="),
    Mutant("butina_clusters", "centroid not first", _butina(members="sorted(members)"), "centroid"),
    Mutant("butina_clusters", "ties lowest index first", _butina(key="lambda i: (len(nbrs[i]), -i)"),
           "highest index goes first"),
    Mutant("butina_clusters", "assigned neighbours reused", _butina(free="True"), "still unassigned"),
    Mutant("butina_clusters", "clusters sorted by size",
           _butina(result="sorted(clusters, key=len, reverse=True)"), "order they were created"),
    # scaffold_split
    Mutant("scaffold_split", "random split of molecules", '''
def scaffold_split(smiles, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(len(smiles))
    n_test = round(test_fraction * len(smiles))
    return sorted(order[n_test:].tolist()), sorted(order[:n_test].tolist())
''', "leaks scaffolds"),
    Mutant("scaffold_split", "chirality kept",
           _split(key="MurckoScaffold.MurckoScaffoldSmiles(s, includeChirality=True)"), "stereoisomers"),
    Mutant("scaffold_split", "each acyclic molecule its own group",
           _split(key="MurckoScaffold.MurckoScaffoldSmiles(s) or f'acyclic {i}'"), "empty scaffold"),
    Mutant("scaffold_split", "test_fraction used for train", _split(target="(1 - test_fraction)"),
           "(1 - test_fraction)"),
    Mutant("scaffold_split", "unseeded shuffle", _split(shuffle="np.random.default_rng().shuffle(names)"),
           "gave different splits"),
    # predict_target
    Mutant("predict_target", "ties broken by dictionary order",
           _predict(pick="max(best, key=lambda t: best[t])"), "dictionary"),
    Mutant("predict_target", "ties to the last name",
           _predict(pick="max(sorted(best, reverse=True), key=lambda t: best[t])"), "sorts last"),
    Mutant("predict_target", "mean similarity", _predict(reduce="np.mean"), "*mean* similarity"),
    Mutant("predict_target", "least similar ligand",
           _predict(pick="min(sorted(best), key=lambda t: best[t])", reduce="np.min"), "least similar"),
    Mutant("predict_target", "empty targets not skipped", _predict(skip="pass"),
           "raised ValueError on a valid input"),
    Mutant("predict_target", "no error without ligands", _predict(none="return None"),
           "should raise ValueError"),
    # optimize_molecule
    Mutant("optimize_molecule", "always moves to the best product", _opt(accept="False"),
           "strictly improves"),
    Mutant("optimize_molecule", "moves on ties", _opt(accept="best < current_score"), "moved on a tie"),
    Mutant("optimize_molecule", "first improving product", _opt(choose=_FIRST_IMPROVING),
           "the first one that improves the score"),
    Mutant("optimize_molecule", "ties to the largest SMILES",
           _opt(pick="max(p for p in scored if scored[p] == best)"), "lexicographically largest"),
    Mutant("optimize_molecule", "ties to the first product found",
           _opt(pick="next(p for p in scored if scored[p] == best)"), "the first of several equally good"),
    Mutant("optimize_molecule", "first outcome of each reaction only", _opt(outcomes="[:1]"),
           "first outcome of each reaction"),
    Mutant("optimize_molecule", "input returned as given", _opt(start="smiles"), "as given"),
    Mutant("optimize_molecule", "one step too many", _opt(steps="n_steps + 1"), "one step more"),
    # build_qsar_model
    Mutant("build_qsar_model", "constant prediction", _qsar('''from sklearn.dummy import DummyRegressor
    return DummyRegressor().fit(fingerprints, pic50_values)'''), "same pIC50 for every molecule"),
    Mutant("build_qsar_model", "returned before fitting", _qsar("return Ridge(alpha=10.0)"),
           "was the model fitted"),
    Mutant("build_qsar_model", "predictions as a column", '''
class ColumnModel:
    def __init__(self, model):
        self.model = model

    def predict(self, X):
        return self.model.predict(X).reshape(-1, 1)

def build_qsar_model(fingerprints, pic50_values):
    return ColumnModel(Ridge(alpha=10.0).fit(fingerprints, pic50_values))
''', "expected (3,)"),
    Mutant("build_qsar_model", "labels shuffled", _qsar(
        '''y = np.random.default_rng(0).permutation(pic50_values)
    return Ridge(alpha=10.0).fit(fingerprints, y)'''), "below the pass mark"),
    Mutant("build_qsar_model", "trained on IC50 in nM", _qsar(
        '''ic50_nm = 10 ** (9 - np.asarray(pic50_values))
    return Ridge(alpha=10.0).fit(fingerprints, ic50_nm)'''), "reversed scale"),
]

ALTERNATIVES = [
    Alternative("pic50", "log of the number plus log of the unit", '''
def pic50(ic50, unit="nM"):
    exponents = {"M": 0, "mM": -3, "uM": -6, "nM": -9, "pM": -12}
    if unit not in exponents:
        raise ValueError(f"unknown unit {unit}")
    result = -(np.log10(np.asarray(ic50, dtype=np.float64)) + exponents[unit])
    if np.ndim(ic50) == 0:
        return float(result)
    return result
'''),
    Alternative("lipinski_violations", "rdMolDescriptors and a loop", '''
from rdkit.Chem import rdMolDescriptors

def lipinski_violations(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"RDKit cannot parse {smiles}")
    count = 0
    for value, limit in [(Descriptors.MolWt(mol), 500), (Crippen.MolLogP(mol), 5),
                         (rdMolDescriptors.CalcNumHBD(mol), 5), (rdMolDescriptors.CalcNumHBA(mol), 10)]:
        if value > limit:
            count += 1
    return count
'''),
    Alternative("passes_rule_of_five", "a list of failed conditions, fewer than two", '''
def passes_rule_of_five(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"cannot parse {smiles}")
    failed = [name for name, value, limit in [("MW", Descriptors.MolWt(mol), 500),
                                              ("logP", Crippen.MolLogP(mol), 5),
                                              ("HBD", Lipinski.NumHDonors(mol), 5),
                                              ("HBA", Lipinski.NumHAcceptors(mol), 10)] if value > limit]
    return len(failed) < 2
'''),
    Alternative("tanimoto", "RDKit's TanimotoSimilarity", '''
def tanimoto(a, b):
    bits = lambda x: DataStructs.CreateFromBitString("".join("1" if v else "0" for v in np.asarray(x)))
    return DataStructs.TanimotoSimilarity(bits(a), bits(b))
'''),
    Alternative("bulk_tanimoto", "RDKit's BulkTanimotoSimilarity", '''
def bulk_tanimoto(query, fingerprints):
    bits = lambda x: DataStructs.CreateFromBitString("".join("1" if v else "0" for v in x))
    rows = [bits(row) for row in np.asarray(fingerprints).reshape(-1, len(query))]
    return np.array(DataStructs.BulkTanimotoSimilarity(bits(np.asarray(query)), rows), dtype=float)
'''),
    Alternative("morgan_fingerprint", "ExplicitBitVect converted with DataStructs", '''
def morgan_fingerprint(smiles, radius=2, n_bits=2048):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"bad SMILES {smiles}")
    fp = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits).GetFingerprint(mol)
    out = np.zeros(n_bits, dtype=np.uint8)
    DataStructs.ConvertToNumpyArray(fp, out)
    return out
'''),
    Alternative("enrichment_factor", "RDKit's CalcEnrichment on the stably sorted list", '''
from rdkit.ML.Scoring import Scoring

def enrichment_factor(scores, is_active, fraction=0.01):
    pairs = sorted(zip(map(float, scores), map(bool, is_active)), key=lambda p: -p[0])
    if not pairs or not any(a for _, a in pairs):
        return 0.0
    if max(1, math.ceil(fraction * len(pairs))) >= len(pairs):
        return 1.0
    return float(Scoring.CalcEnrichment([[s, a] for s, a in pairs], 1, [fraction])[0])
'''),
    Alternative("butina_clusters", "RDKit's Butina.ClusterData", '''
from rdkit.ML.Cluster import Butina

def butina_clusters(fingerprints, cutoff=0.35):
    F = np.asarray(fingerprints)
    bits = [DataStructs.CreateFromBitString("".join("1" if v else "0" for v in row)) for row in F]
    distances = [1.0 - DataStructs.TanimotoSimilarity(bits[i], bits[j])
                 for i in range(len(bits)) for j in range(i)]
    return [list(c) for c in Butina.ClusterData(distances, len(bits), cutoff, isDistData=True)]
'''),
    Alternative("scaffold_split", "largest groups to train first (DeepChem's rule)", '''
def scaffold_split(smiles, test_fraction=0.2, seed=0):
    groups = {}
    for i, s in enumerate(smiles):
        groups.setdefault(MurckoScaffold.MurckoScaffoldSmiles(s), []).append(i)
    train_cutoff = (1 - test_fraction) * len(smiles)
    train, test = [], []
    for name in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        if len(train) + len(groups[name]) <= train_cutoff:
            train += groups[name]
        else:
            test += groups[name]
    return sorted(train), sorted(test)
'''),
    Alternative("predict_target", "RDKit similarities, sorted by (-similarity, name)", '''
def predict_target(query_fp, ligands_by_target):
    bits = lambda x: DataStructs.CreateFromBitString("".join("1" if v else "0" for v in x))
    q = bits(np.asarray(query_fp))
    ranking = []
    for target, ligands in ligands_by_target.items():
        rows = [bits(row) for row in np.asarray(ligands).reshape(-1, len(np.asarray(query_fp)))]
        if rows:
            ranking.append((-max(DataStructs.BulkTanimotoSimilarity(q, rows)), target))
    if not ranking:
        raise ValueError("no target has a ligand")
    return min(ranking)[1]
'''),
    Alternative("optimize_molecule", "a while loop choosing by (-score, SMILES)", '''
def optimize_molecule(smiles, transformations, score, n_steps=5):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"cannot parse {smiles}")
    current = Chem.MolToSmiles(mol)
    value = score(current)
    reactions = [rdChemReactions.ReactionFromSmarts(t) for t in transformations]
    step = 0
    while step < n_steps:
        seen = {}
        for reaction in reactions:
            for outcome in reaction.RunReactants((Chem.MolFromSmiles(current),)):
                product = outcome[0]
                if Chem.SanitizeMol(product, catchErrors=True) != Chem.SanitizeFlags.SANITIZE_NONE:
                    continue
                text = Chem.MolToSmiles(product)
                if text not in seen:
                    seen[text] = score(text)
        if not seen:
            return current
        best_value, best = min((-v, s) for s, v in seen.items())
        if -best_value <= value:
            return current
        current, value = best, -best_value
        step += 1
    return current
'''),
    Alternative("build_qsar_model", "5 nearest neighbours by Jaccard (Tanimoto) distance", '''
from sklearn.neighbors import KNeighborsRegressor

class TanimotoKNN:
    def __init__(self, X, y):
        self.model = KNeighborsRegressor(n_neighbors=5, metric="jaccard", weights="distance")
        self.model.fit(np.asarray(X, dtype=bool), y)

    def predict(self, X):
        return self.model.predict(np.asarray(X, dtype=bool))

def build_qsar_model(fingerprints, pic50_values):
    return TanimotoKNN(fingerprints, pic50_values)
'''),
]

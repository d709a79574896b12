"""Chapter 05_clinical_nlp, part 3: de-identification and span-level evaluation."""

from __future__ import annotations

from collections import Counter

from ....datasets.reports import PHI_CATEGORIES, make_report, tokenize_offsets
from ...compare import PASS, Verdict, allclose, type_name
from ...registry import Case, Exercise, Mistake, WrongOutput

CHAPTER = "05_clinical_nlp"

# deidentify: pass marks on token-level recall and precision over the notes of one case. The
# reference reaches 1.00 and 1.00 on every public and hidden case (the generator's PHI follows the
# annotation conventions it states). Recall comes first: a missed name is a privacy breach, a
# redacted "Dr" only costs some readability. One forgotten category (names are about a fifth of
# the PHI tokens) or one missed date format brings recall below 0.95. Precision: titles inside the
# NAME spans give about 0.90, labels inside the spans about 0.88, every number redacted about 0.8;
# small slips (a year on its own, an age under 90) cost about 0.01-0.03 each and still pass.
RECALL_MARK = 0.95
PRECISION_MARK = 0.95

_HAND_NOTE = (
    "Discharge note\nPatient: Ahmed Haddad   MRN: 7734120\nSeen with Mrs. Grace Murphy (daughter), "
    "tel. (617) 555-0142, on March 3, 2021.\nA 94-year-old man, sister is 67 years old. Smoked "
    "from 1990 to 2005.\nCT of 2021-02-27 showed a 5 mm nodule; follow-up in 3 months.\n"
    "Address: 42 Harbor Road, Springfield\nSigned by Dr. Ingrid Lindqvist "
    "(ingrid.lindqvist@example.org) at 14:05.\n"
)
_HAND_PHI = [("Ahmed Haddad", "NAME"), ("7734120", "MRN"), ("Grace Murphy", "NAME"),
             ("(617) 555-0142", "PHONE"), ("March 3, 2021", "DATE"), ("94", "AGE_OVER_89"),
             ("2021-02-27", "DATE"), ("42 Harbor Road", "ADDRESS"), ("Ingrid Lindqvist", "NAME"),
             ("ingrid.lindqvist@example.org", "EMAIL")]


def _hand_note(age: str = "94", younger: str = "67") -> tuple[list[str], list[list]]:
    """The hand-written note with its annotations, found by searching the text."""
    note = _HAND_NOTE.replace("94", age).replace("67 years", f"{younger} years")
    gold = []
    for text, category in _HAND_PHI:
        if category == "AGE_OVER_89":
            start = note.index(f"{age}-year-old")
            gold.append((start, start + len(age), category))
        else:
            start = note.index(text)
            gold.append((start, start + len(text), category))
    return [note], [sorted(gold)]


def _notes(seeds) -> tuple[list[str], list[list]]:
    reports = [make_report(seed) for seed in seeds]
    return [r["text"] for r in reports], [r["phi"] for r in reports]


def score_deidentification(fn, texts: list, golds: list) -> dict:
    """Run the learner's ``deidentify`` on every note and measure it against the annotations.

    Returns plain data: token-level "recall" and "precision" (pooled over the notes), "leaked"
    (annotated PHI strings still in the redacted text), "missed" (category -> PHI tokens not
    redacted), "false_tokens" (the most frequent redacted tokens that are not PHI).
    """
    hit_phi = n_phi = n_hit = 0
    leaked = 0
    missed: Counter = Counter()
    false_tokens: Counter = Counter()
    for text, gold in zip(texts, golds):
        out = fn(text)
        if not isinstance(out, tuple) or len(out) != 2:
            raise WrongOutput(f"deidentify should return a tuple (redacted_text, spans); got "
                              f"{type_name(out)}")
        redacted, spans = out
        if not isinstance(redacted, str) or not isinstance(spans, (list, tuple)):
            raise WrongOutput("deidentify should return (str, list of (start, end, category)); got "
                              f"({type_name(redacted)}, {type_name(spans)})")
        spans = [tuple(s) for s in spans]
        for s in spans:
            if (len(s) != 3 or not all(isinstance(v, int) for v in s[:2])
                    or not 0 <= s[0] < s[1] <= len(text) or s[2] not in PHI_CATEGORIES):
                raise WrongOutput(
                    f"each span should be (start, end, category) with 0 <= start < end <= "
                    f"len(text) and a category among {', '.join(PHI_CATEGORIES)}; got {s!r}")
        ordered = sorted(spans)
        if any(a[1] > b[0] for a, b in zip(ordered, ordered[1:])):
            raise WrongOutput("two of your spans overlap; merge them or keep one of each pair")
        rebuilt, last = [], 0
        for start, end, category in ordered:
            rebuilt += [text[last:start], f"[{category}]"]
            last = end
        if "".join(rebuilt) + text[last:] != redacted:
            raise WrongOutput(
                "your spans, applied to the original text (each replaced by [CATEGORY]), do not "
                "give your redacted text: are the offsets in the original text, end exclusive, and "
                "is every span you return replaced (and nothing else)?")
        tokens = tokenize_offsets(text)
        for token, a, b in tokens:
            phi = next((g[2] for g in gold if g[0] <= a and b <= g[1]), None)
            hit = any(a < e and s < b for s, e, _ in spans)
            n_phi += phi is not None
            n_hit += hit
            hit_phi += hit and phi is not None
            if phi is not None and not hit:
                missed[phi] += 1
            if hit and phi is None:
                false_tokens[token] += 1
        outside = "".join(c if not any(g[0] <= k < g[1] for g in gold) else "\0"
                          for k, c in enumerate(text))
        leaked += sum(text[g[0]:g[1]] in redacted and text[g[0]:g[1]] not in outside for g in gold)
    return {"recall": hit_phi / n_phi if n_phi else 1.0,
            "precision": hit_phi / n_hit if n_hit else 1.0,
            "leaked": int(leaked),
            "missed": dict(missed),
            "false_tokens": [t for t, _ in false_tokens.most_common(6)]}


_CATEGORY_ADVICE = {
    "NAME": "names follow cues such as 'Patient:', 'Dr.', 'Mrs.' or 'signed by'",
    "DATE": "dates come in several formats (03/14/2021, March 14, 2021, 2021-03-14)",
    "PHONE": "phone numbers come as (617) 555-0142 and 617-555-0142",
    "MRN": "the record number follows 'MRN:'",
    "AGE_OVER_89": "ages of 90 and over are PHI ('94-year-old'), younger ages are not",
    "ADDRESS": "a street line is a house number, capitalised words and Street, Road, Avenue...",
    "EMAIL": "e-mail addresses are PHI",
}
_TITLES = {"dr", "mr", "mrs", "ms"}
_LABELS = {"mrn", "dob", "tel", "patient", "address"}


def _deid_compare(got, expected) -> Verdict:
    if not isinstance(got, dict) or "recall" not in got:
        return Verdict(False, f"the de-identification check returned {type_name(got)}")
    problems, details = [], []
    if got["leaked"]:
        problems.append(f"annotated PHI text survives in {got['leaked']} place(s) of your redacted "
                        "text: every span you find must be replaced")
    if got["recall"] < RECALL_MARK:
        worst = sorted(got["missed"].items(), key=lambda kv: -kv[1])[:2]
        problems.append(f"token recall {got['recall']:.3f} is below the pass mark {RECALL_MARK}: "
                        "PHI is left in the note. Missed most: "
                        + "; ".join(f"{c} ({n} tokens): {_CATEGORY_ADVICE[c]}" for c, n in worst))
    if got["precision"] < PRECISION_MARK:
        false = {t.lower() for t in got["false_tokens"]}
        why = []
        if false & _TITLES:
            why.append("a NAME span is the name's words only: leave titles such as 'Dr.' out")
        if false & _LABELS:
            why.append("MRN, PHONE and DATE spans are the value only, without labels such as "
                       "'MRN:' or 'tel.'")
        if any(t.isdigit() for t in false):
            why.append("not every number is PHI: measurements, times, ages under 90 and a year "
                       "on its own are not")
        problems.append(f"token precision {got['precision']:.3f} is below the pass mark "
                        f"{PRECISION_MARK}: you redacted text that is not PHI"
                        + (f" ({'; '.join(why)})" if why else ""))
        details.append(f"the non-PHI tokens you redacted most often: {got['false_tokens']}")
    if not problems:
        return PASS
    message = "; ".join(problems)
    return Verdict(False, message, "; ".join([message] + details))


def _deid_public(rng):
    yield Case((*_notes(range(500, 512)),), label="12 synthetic radiology reports")
    yield Case((*_hand_note("101", "89"),),
               label="a discharge note with numbers that are not PHI (ages 101 and 89)")


def _deid_hidden(rng):
    yield Case((*_notes(range(600, 640)),), label="40 synthetic radiology reports")
    yield Case((*_hand_note("94", "67"),), label="a discharge note, other ages")
    yield Case((*_hand_note("90", "88"),), label="a discharge note, ages at the boundary")


DEIDENTIFY = Exercise(
    name="deidentify",
    points=3,
    public_cases=_deid_public,
    hidden_cases=_deid_hidden,
    compare=_deid_compare,
    invoke=score_deidentification,
    time_limit=20.0,
)


# --- span_scores --------------------------------------------------------------------------------

def _scores(gold, pred, mode="strict", *, divide_by_gold=False, label_free=False, touching=False,
            arithmetic=False, unique=False, recall_from_pred=False):
    """Span precision/recall/F1 with one rule changed (the mistake models)."""
    if unique:
        pred = list(dict.fromkeys(tuple(p) for p in pred))

    def match(p, g):
        if mode == "strict":
            return tuple(p[:2]) == tuple(g[:2]) if label_free else tuple(p) == tuple(g)
        same = label_free or p[2] == g[2]
        if touching:
            return same and p[0] <= g[1] and g[0] <= p[1]
        return same and p[0] < g[1] and g[0] < p[1]

    correct = sum(any(match(p, g) for g in gold) for p in pred)
    found = correct if recall_from_pred else sum(any(match(p, g) for p in pred) for g in gold)
    denominator = len(gold) if divide_by_gold else len(pred)
    precision = correct / denominator if denominator else 0.0
    recall = found / len(gold) if gold else 0.0
    if arithmetic:
        f1 = (precision + recall) / 2
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


_GOLD = [(0, 10, "NAME"), (20, 30, "DATE"), (40, 45, "MRN"), (50, 60, "NAME")]


def _random_spans(rng, n, labels=("NAME", "DATE", "MRN")):
    spans = []
    for _ in range(n):
        start = int(rng.integers(0, 200))
        spans.append((start, start + int(rng.integers(1, 12)), str(labels[rng.integers(len(labels))])))
    return spans


def _spans_public(rng):
    pred = [(0, 10, "NAME"), (22, 30, "DATE"), (40, 45, "NAME"), (60, 64, "NAME"), (70, 75, "DATE")]
    yield Case((_GOLD, pred), label="strict (default mode): exact, shifted, wrong label, touching")
    yield Case((_GOLD, pred), {"mode": "overlap"}, label="the same spans in overlap mode")
    yield Case((_GOLD, [(0, 10, "NAME"), (0, 10, "NAME"), (2, 5, "NAME")]), {"mode": "overlap"},
               label="duplicates, and two predictions inside one gold span")
    yield Case((_GOLD, [(0, 10, "NAME"), (70, 75, "DATE"), (70, 75, "DATE")]),
               label="a wrong span predicted twice")
    yield Case(([(0, 30, "DATE")], [(0, 5, "DATE"), (10, 20, "DATE"), (25, 40, "DATE")]),
               {"mode": "overlap"}, label="one long gold span, three pieces predicted")
    yield Case((_GOLD, []), {"mode": "strict"}, label="nothing predicted")
    yield Case(([], [(1, 2, "NAME")]), label="no gold spans")
    yield Case(([], []), {"mode": "overlap"}, label="both empty")
    gold = _random_spans(rng, 12)
    pred = gold[:6] + _random_spans(rng, 8)
    yield Case((gold, pred), {"mode": "strict"}, label="a dozen spans, half found")
    yield Case((gold, pred), {"mode": "overlap"}, label="a dozen spans, overlap mode")


def _spans_hidden(rng):
    for n in (5, 30):
        gold = _random_spans(rng, n)
        pred = [(s + int(rng.integers(-2, 3)), e, c) for s, e, c in gold[: n // 2]]
        pred += _random_spans(rng, n // 3)
        for mode in ("strict", "overlap"):
            yield Case((gold, pred), {"mode": mode}, label=f"{n} gold spans, {mode}")
    yield Case(([(5, 9, "DATE")], [(9, 12, "DATE"), (0, 5, "DATE")]), {"mode": "overlap"},
               label="spans touching on both sides")
    yield Case(([(5, 9, "DATE")], [(5, 9, "DATE")] * 3), label="the same span three times")


def _variant(**options):
    return lambda gold, pred, mode="strict": _scores(gold, pred, mode, **options)


SPAN_SCORES = Exercise(
    name="span_scores",
    points=2,
    public_cases=_spans_public,
    hidden_cases=_spans_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    output_names=("precision", "recall", "f1"),
    mistakes=[
        Mistake("precision over gold", _variant(divide_by_gold=True),
                "your precision is divided by the number of gold spans; precision asks how many of "
                "the PREDICTED spans are right, so divide by len(pred)."),
        Mistake("label ignored", _variant(label_free=True),
                "you matched spans whatever their labels; a match needs the same label too."),
        Mistake("touching counts", _variant(touching=True),
                "spans that only touch (one ends where the other starts) counted as overlapping; "
                "with end-exclusive offsets they share no character: start < g_end and "
                "g_start < end, both strict."),
        Mistake("arithmetic mean", _variant(arithmetic=True),
                "your F1 is the arithmetic mean of precision and recall; F1 is their harmonic "
                "mean, 2PR / (P + R)."),
        Mistake("duplicates collapsed", _variant(unique=True),
                "you removed duplicate predictions; each predicted span counts, so duplicates "
                "count separately."),
        Mistake("recall from predictions", _variant(recall_from_pred=True),
                "your recall counts correct predicted spans; recall counts GOLD spans that some "
                "prediction matches (several pieces inside one gold span find it once)."),
    ],
)

"""Synthetic radiology reports with known truth: sections, findings with the assertion status of
every mention, PHI spans with categories, and report-level CheXpert-style labels.

Everything here is generated from templates by a seeded generator written for this course; no
real patient's text is used. The data card (``medai data info synthetic_reports``) says what real
clinical text has that these reports lack. Also here: the course's small finding lexicon, its
NegEx/ConText rule set, and negspacy's published termsets (MIT licence) adapted to that rule set.
"""

from __future__ import annotations

import re

import numpy as np

# --- the course's vocabulary --------------------------------------------------------------------

# A toy stand-in for UMLS: phrase (lower case) -> concept. Plural and synonym forms map to the
# same concept, as UMLS maps strings to one concept unique identifier (CUI).
LEXICON: dict[str, str] = {
    "pleural effusion": "effusion",
    "pleural effusions": "effusion",
    "effusion": "effusion",
    "effusions": "effusion",
    "pneumothorax": "pneumothorax",
    "consolidation": "consolidation",
    "airspace consolidation": "consolidation",
    "airspace opacity": "consolidation",
    "pneumonia": "pneumonia",
    "cardiomegaly": "cardiomegaly",
    "enlarged cardiac silhouette": "cardiomegaly",
    "pulmonary edema": "edema",
    "edema": "edema",
    "atelectasis": "atelectasis",
    "mass": "mass",
    "nodule": "nodule",
    "pulmonary nodule": "nodule",
    "rib fracture": "fracture",
    "fracture": "fracture",
}
CONCEPTS: tuple[str, ...] = tuple(dict.fromkeys(LEXICON.values()))

# NegEx / ConText triggers (lower case, tokens separated by spaces). Chapman et al., "A simple
# algorithm for identifying negated findings and diseases in discharge summaries", J Biomed
# Inform 34(5), 2001; Harkema et al., "ConText", J Biomed Inform 42(5), 2009. A deliberately small
# set, so that every rule can be read in the notebook.
NEGEX_RULES: dict[str, list[str]] = {
    "pre_negation": ["no", "no evidence of", "no signs of", "without", "negative for",
                     "absence of", "not", "free of", "resolution of"],
    "post_negation": ["is absent", "are absent", "absent", "has resolved", "have resolved",
                      "ruled out", "is ruled out", "not seen", "is not seen"],
    "pre_uncertain": ["possible", "possibly", "probable", "questionable", "suspicious for",
                      "concerning for", "may represent", "cannot exclude", "likely"],
    "post_uncertain": ["cannot be excluded", "not excluded", "is not excluded", "not ruled out",
                       "is suspected", "suspected", "?"],
    "pseudo": ["no increase", "no change", "no significant change", "not only",
               "gram negative", "no further"],
    "terminate": ["but", "however", "although", "though", "except", "aside from", "apart from",
                  "which", "yet"],
}
RULE_KEYS: tuple[str, ...] = tuple(NEGEX_RULES)
SECTION_HEADERS: list[str] = ["clinical history", "indication", "comparison", "technique",
                              "findings", "impression"]
PHI_CATEGORIES: tuple[str, ...] = ("NAME", "DATE", "PHONE", "MRN", "AGE_OVER_89", "ADDRESS",
                                   "EMAIL")
TARGET_FINDING = "pneumothorax"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def negspacy_rules() -> dict[str, list[str]]:
    """negspacy's English clinical termset (Jeno Pizarro, MIT licence; after Chapman's NegEx
    lists) mapped onto this course's rule keys: negspacy has negation only, so the uncertainty
    lists are empty, and its "preceding", "following", "pseudo" and "termination" lists become
    "pre_negation", "post_negation", "pseudo" and "terminate", lower-cased.
    """
    from negspacy.termsets import termset

    patterns = termset("en_clinical").get_patterns()
    return {
        "pre_negation": [p.lower() for p in patterns["preceding_negations"]],
        "post_negation": [p.lower() for p in patterns["following_negations"]],
        "pre_uncertain": [],
        "post_uncertain": [],
        "pseudo": [p.lower() for p in patterns["pseudo_negations"]],
        "terminate": [p.lower() for p in patterns["termination"]],
    }


# --- PHI ----------------------------------------------------------------------------------------

_GIVEN = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
          "Elizabeth", "Maria", "Ahmed", "Wei", "Priya", "Olusegun", "Ingrid", "Carlos", "Aiko",
          "Fatima", "Dmitri", "Grace", "Hannah", "Luis", "Nadia"]
_FAMILY = ["Smith", "Johnson", "Garcia", "Nguyen", "Okafor", "Kowalski", "Schmidt", "Haddad",
           "Tanaka", "Patel", "O'Brien", "Lindqvist", "Moreau", "Rossi", "Chen", "Ivanova",
           "Mensah", "Silva", "Murphy", "Novak", "Brennan", "Achebe", "Yilmaz", "Kaur"]
_STREETS = ["Main Street", "Oak Avenue", "Harbor Road", "Elm Street", "Hillcrest Drive",
            "Maple Lane", "Station Road", "Riverside Boulevard"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DOMAINS = ["example.org", "mail.example.com", "hospital.example.net"]


class _Writer:
    """Builds a text piece by piece and remembers the character spans of what was annotated."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.phi: list[tuple[int, int, str]] = []
        self.mentions: list[tuple[int, int, str, str]] = []

    def add(self, text: str, phi: str | None = None) -> None:
        if phi is not None:
            self.phi.append((self.length, self.length + len(text), phi))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def _name(rng) -> str:
    return f"{_pick(rng, _GIVEN)} {_pick(rng, _FAMILY)}"


def _date(rng) -> str:
    year, month, day = int(rng.integers(2005, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    style = int(rng.integers(3))
    if style == 0:
        return f"{month:02d}/{day:02d}/{year}"
    if style == 1:
        return f"{_MONTHS[month - 1]} {day}, {year}"
    return f"{year}-{month:02d}-{day:02d}"


def _birth_date(rng, age: int) -> str:
    year = 2024 - age
    month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
    return f"{month:02d}/{day:02d}/{year}"


def _phone(rng) -> str:
    a, b, c = int(rng.integers(200, 990)), int(rng.integers(200, 999)), int(rng.integers(0, 10000))
    return f"({a}) {b}-{c:04d}" if rng.random() < 0.5 else f"{a}-{b}-{c:04d}"


def _write_header(w: _Writer, rng, modality: str, age: int) -> None:
    w.add("CHEST RADIOGRAPH, PA AND LATERAL\n" if modality == "xray" else "CT CHEST WITH CONTRAST\n")
    w.add("Patient: ")
    w.add(_name(rng), "NAME")
    w.add("   MRN: ")
    w.add(str(int(rng.integers(1_000_000, 99_999_999))), "MRN")
    w.add("   DOB: ")
    w.add(_birth_date(rng, age), "DATE")
    w.add("\n")
    if rng.random() < 0.5:
        w.add("Address: ")
        w.add(f"{int(rng.integers(1, 9999))} {_pick(rng, _STREETS)}", "ADDRESS")
        w.add(", Springfield\n")
    w.add(f"Referring physician: {_pick(rng, ['Dr.', 'Dr'])} ")
    w.add(_name(rng), "NAME")
    w.add(", tel. ")
    w.add(_phone(rng), "PHONE")
    w.add("\n")


# --- findings -----------------------------------------------------------------------------------

_PHRASES = {
    "effusion": ["pleural effusion", "effusion", "pleural effusions"],
    "pneumothorax": ["pneumothorax"],
    "consolidation": ["consolidation", "airspace opacity", "airspace consolidation"],
    "pneumonia": ["pneumonia"],
    "cardiomegaly": ["cardiomegaly", "enlarged cardiac silhouette"],
    "edema": ["pulmonary edema", "edema"],
    "atelectasis": ["atelectasis"],
    "mass": ["mass"],
    "nodule": ["nodule", "pulmonary nodule"],
    "fracture": ["rib fracture", "fracture"],
}
_MODIFIERS = ["small", "moderate", "large", "left", "right", "bilateral", "trace", "new",
              "right apical", "left basilar"]
# Templates: {F} is the finding phrase, {M} a modifier. Each template states the true status.
_TEMPLATES = {
    "affirmed": ["There is a {M} {F}.", "{M} {F} is present.", "{Fc} is again seen.",
                 "Findings consistent with {F}.", "Interval increase in {F}.",
                 "No change in the {M} {F}.", "{Fc}, {M}."],
    "negated": ["No {F}.", "There is no {F}.", "No evidence of {F}.", "{Fc} is absent.",
                "Negative for {F}.", "Without {F}.", "{Fc} has resolved.",
                "{Fc} is ruled out."],
    "uncertain": ["Possible {F}.", "Findings may represent {F}.", "{Fc} cannot be excluded.",
                  "Questionable {M} {F}.", "Findings suspicious for {F}.",
                  "Likely {F}."],
}
# Sentences that defeat simple rules (the truth is written next to them): negation scope past the
# window, negation of a list, a terminator in the middle.
_HARD = [
    ("No {A} or {B}.", ("negated", "negated")),
    ("No {A}, but there is a {M} {B}.", ("negated", "affirmed")),
    ("{Ac} is present, without {B}.", ("affirmed", "negated")),
    ("Possible {A}; no {B}.", ("uncertain", "negated")),
    ("No acute osseous abnormality, mediastinal widening or findings to suggest {A}.", ("negated",)),
]
_NORMAL = ["The lungs are clear.", "Heart size is normal.", "The mediastinum is unremarkable.",
           "Osseous structures are intact.", "Lines and tubes are unchanged in position.",
           "The trachea is midline.", "Degenerative changes of the thoracic spine.",
           "Massive hiatal hernia is noted."]


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _write_sentence(w: _Writer, template: str, fills: dict[str, tuple[str, str, str]]) -> None:
    """Write ``template`` with {X} / {Xc} replaced; fills maps X -> (phrase, concept, status)."""
    pos = 0
    for m in re.finditer(r"\{(\w)(c?)\}", template):
        w.add(template[pos:m.start()])
        key, cap = m.group(1), m.group(2)
        if key == "M":
            w.add(_cap(fills["M"][0]) if m.start() == 0 else fills["M"][0])
        else:
            phrase, concept, status = fills[key]
            start = w.length
            w.add(_cap(phrase) if cap or m.start() == 0 else phrase)
            w.mentions.append((start, w.length, concept, status))
        pos = m.end()
    w.add(template[pos:])


def _sentence(rng, concept: str, status: str) -> tuple[str, dict]:
    """A template of ``status`` and its fills for one mention of ``concept``."""
    return (_pick(rng, _TEMPLATES[status]),
            {"F": (_pick(rng, _PHRASES[concept]), concept, status), "M": (_pick(rng, _MODIFIERS), "", "")})


def _label(mentions) -> dict[str, float]:
    labels = {}
    for concept in CONCEPTS:
        statuses = [s for _, _, c, s in mentions if c == concept]
        if "affirmed" in statuses:
            labels[concept] = 1.0
        elif "uncertain" in statuses:
            labels[concept] = -1.0
        elif statuses:
            labels[concept] = 0.0
        else:
            labels[concept] = float("nan")
    return labels


def make_report(seed: int, modality: str | None = None, target_status: str | None = None) -> dict:
    """One synthetic chest radiograph or CT report with its truth.

    Parameters
    ----------
    seed : int
        Seeds everything; one seed gives one report.
    modality : {"xray", "ct"} or None
        None draws one (60 % radiographs).
    target_status : {"affirmed", "negated", "uncertain", "absent"} or None
        Forces how the report speaks of the target finding (pneumothorax); None draws it.

    Returns
    -------
    dict with "text" (str), "modality", "mentions" (list of (start, end, concept, status):
    character offsets, end exclusive, status "affirmed" | "negated" | "uncertain"), "phi" (list of
    (start, end, category)), "labels" (concept -> 1.0 positive, -1.0 uncertain, 0.0 negative,
    NaN not mentioned) and "target" (1 when the target finding is affirmed, else 0).
    """
    rng = np.random.default_rng([int(seed), 5])
    if modality is None:
        modality = "xray" if rng.random() < 0.6 else "ct"
    if modality not in ("xray", "ct"):
        raise ValueError(f"modality should be 'xray', 'ct' or None; got {modality!r}")
    statuses = ("affirmed", "negated", "uncertain", "absent")
    if target_status is None:
        target_status = _pick(rng, statuses)
    if target_status not in statuses:
        raise ValueError(f"target_status should be one of {statuses} or None; got {target_status!r}")
    age = int(rng.integers(92, 103)) if rng.random() < 0.15 else int(rng.integers(19, 89))
    w = _Writer()
    _write_header(w, rng, modality, age)
    w.add("\nINDICATION: ")
    w.add(str(age), "AGE_OVER_89" if age > 89 else None)
    w.add(f"-year-old {_pick(rng, ['man', 'woman'])} with "
          f"{_pick(rng, ['shortness of breath', 'chest pain', 'fever and cough', 'trauma', 'hypoxia'])}.\n")
    w.add("COMPARISON: ")
    if rng.random() < 0.7:
        w.add("Prior study of ")
        w.add(_date(rng), "DATE")
        w.add(".\n")
    else:
        w.add(f"None available (last imaging in {int(rng.integers(2005, 2024))}).\n")
    if modality == "ct":
        w.add("TECHNIQUE: Axial images of the chest after intravenous contrast, 1.25 mm slices.\n")
    w.add("\nFINDINGS:\n")
    others = [c for c in CONCEPTS if c != TARGET_FINDING]
    chosen = [str(c) for c in rng.choice(others, size=int(rng.integers(2, 4)), replace=False)]
    # The partner finding is spoken of the opposite way to the target, so that a report's bag of
    # words ("no", "is present"...) says nothing about WHICH finding is negated.
    partner = chosen[0]
    partner_status = {"affirmed": "negated", "negated": "affirmed",
                      "uncertain": _pick(rng, ["affirmed", "negated"])}.get(target_status)
    sentences: list[tuple[str, dict]] = []
    order = list(chosen)
    if target_status != "absent":
        order.insert(int(rng.integers(len(order) + 1)), TARGET_FINDING)
    for concept in order:
        if concept == TARGET_FINDING:
            status = target_status
        elif concept == partner and partner_status is not None:
            status = partner_status
        else:
            status = _pick(rng, ["affirmed", "negated", "negated", "uncertain"])
        if concept not in (TARGET_FINDING, partner) and rng.random() < 0.3:
            second = _pick(rng, [c for c in others if c not in chosen])
            template, truth = _HARD[int(rng.integers(len(_HARD)))]
            fills = {"A": (_pick(rng, _PHRASES[concept]), concept, truth[0]),
                     "M": (_pick(rng, _MODIFIERS), "", "")}
            if len(truth) > 1:
                fills["B"] = (_pick(rng, _PHRASES[second]), second, truth[1])
            sentences.append((template, fills))
            continue
        sentences.append(_sentence(rng, concept, status))
    for _ in range(int(rng.integers(1, 3))):
        sentences.insert(int(rng.integers(len(sentences) + 1)), (_pick(rng, _NORMAL), {}))
    for template, fills in sentences:
        _write_sentence(w, template, fills)
        w.add(" " if rng.random() < 0.7 else "\n")
    w.add("\nIMPRESSION:\n")
    if target_status == "absent" or rng.random() < 0.2:
        w.add(_pick(rng, ["No acute cardiopulmonary process.", "As above.",
                          "Findings as described above."]))
    else:
        summary = [_sentence(rng, TARGET_FINDING, target_status),
                   _sentence(rng, partner, partner_status)]
        for template, fills in summary[::1 if rng.random() < 0.5 else -1]:
            _write_sentence(w, template, fills)
            w.add(" ")
    w.add("\n\nElectronically signed by Dr. ")
    w.add(_name(rng), "NAME")
    if rng.random() < 0.5:
        w.add(" (")
        w.add(f"{_pick(rng, _GIVEN).lower()}.{_pick(rng, _FAMILY).lower().replace(chr(39), '')}"
              f"@{_pick(rng, _DOMAINS)}", "EMAIL")
        w.add(")")
    w.add(" on ")
    w.add(_date(rng), "DATE")
    w.add(" at 10:" + f"{int(rng.integers(0, 60)):02d}.\n")
    text = w.text()
    labels = _label(w.mentions)
    return {"text": text, "modality": modality, "mentions": w.mentions, "phi": w.phi,
            "labels": labels, "target": int(labels[TARGET_FINDING] == 1.0)}


def make_reports(n: int, seed: int = 0, modality: str | None = None) -> list[dict]:
    """``n`` synthetic reports (see :func:`make_report`), seeded: report k uses seed
    ``seed * 100_003 + k``; the target finding's status is drawn per report."""
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n should be a non-negative int; got {n!r}")
    return [make_report(int(seed) * 100_003 + k, modality) for k in range(int(n))]


def make_report_classification(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Texts and 0/1 labels for the report classifier: 1 when the report affirms a pneumothorax.

    Uncertain mentions count as 0 (the "U-Zeros" policy of the CheXpert paper). Returns
    ``(texts, labels)``: a list of ``n`` str and an int array of shape (n,).
    """
    reports = make_reports(n, seed)
    return [r["text"] for r in reports], np.array([r["target"] for r in reports], dtype=int)


def tokenize_offsets(text: str) -> list[tuple[str, int, int]]:
    """The course's tokens ``\\w+|[^\\w\\s]`` with character offsets (used by the graders)."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def phi_token_scores(text: str, gold: list, predicted: list) -> tuple[float, float]:
    """Token-level (recall, precision) of ``predicted`` PHI spans against ``gold`` spans.

    A token (by :func:`tokenize_offsets`) is PHI when it lies inside a gold span, and is redacted
    when it overlaps a predicted span. recall = PHI tokens redacted / PHI tokens; precision =
    redacted tokens that are PHI / redacted tokens (1.0 when nothing is redacted).
    """
    tokens = tokenize_offsets(text)
    is_phi = np.array([any(s <= a and b <= e for s, e, _ in gold) for _, a, b in tokens], bool)
    hit = np.array([any(a < e and s < b for s, e, *_ in predicted) for _, a, b in tokens], bool)
    recall = float((is_phi & hit).sum() / is_phi.sum()) if is_phi.any() else 1.0
    precision = float((is_phi & hit).sum() / hit.sum()) if hit.any() else 1.0
    return recall, precision

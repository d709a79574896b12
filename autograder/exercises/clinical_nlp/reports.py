"""Chapter 05_clinical_nlp, part 2: report sections and CheXpert-style labels."""

from __future__ import annotations

import re

from ....datasets.reports import LEXICON, NEGEX_RULES, SECTION_HEADERS, make_report
from ...compare import allclose
from ...registry import Case, Exercise, Mistake, reference

CHAPTER = "05_clinical_nlp"
EXACT = allclose(rtol=0.0, atol=0.0)


# --- split_sections -----------------------------------------------------------------------------

def _sections(text, headers, *, anywhere=False, drop_last=False, case=False, empty_preamble=False,
              overwrite=False, strip=True, indented=True, keys_as_written=False):
    """Section splitting with one rule changed (the mistake models)."""
    pieces: dict[str, list[str]] = {}
    current, lines = "preamble", []
    starts = []

    def close(name, body_lines):
        body = "\n".join(body_lines)
        body = body.strip() if strip else body
        if name == "preamble" and not body.strip() and not empty_preamble:
            return
        if overwrite:
            pieces[name] = [body]
        else:
            pieces.setdefault(name, []).append(body)

    for line in text.split("\n"):
        probe = line.lstrip() if indented else line
        header, rest = None, ""
        for h in headers:
            key = h + ":"
            hay = probe if case else probe.lower()
            if anywhere and key in hay:
                at = hay.index(key)
                header, rest, written = h, probe[at + len(key):], probe[at:at + len(h)]
                break
            if hay.startswith(key):
                header, rest, written = h, probe[len(key):], probe[:len(h)]
                break
        if header is None:
            lines.append(line)
            continue
        starts.append(header)
        close(current, lines)
        current, lines = (written if keys_as_written else header), [rest]
    if not (drop_last and starts):
        close(current, lines)
    return {name: "\n".join(bodies) for name, bodies in pieces.items()}


_REPORT = ("CHEST RADIOGRAPH\nINDICATION: cough.\nFINDINGS:\n  No effusion.\n  Heart size normal."
           "\nIMPRESSION: No acute process.")


def _sections_public(rng):
    yield Case((_REPORT, ["indication", "findings", "impression"]),
               label="preamble, three sections, text on the header line and below it")
    yield Case(("Findings: clear lungs. See impression: below.\nThe impression: unchanged.\n"
                "IMPRESSION: normal", ["findings", "impression"]),
               label="a header name in the middle of a line")
    yield Case(("   Findings:  small effusion\nfindings : not a header\nImpression:",
                ["findings", "impression"]),
               label="indented and lower-case headers, a header with no text at the end")
    yield Case(("FINDINGS: left effusion.\nIMPRESSION:\nFINDINGS:\nFINDINGS: right effusion.",
                ["findings", "impression"]), label="a header that occurs three times")
    yield Case(("Clinical History: fall.\nHISTORY: none\nComparison: none. Findings: clear.",
                ["clinical history", "history", "comparison", "findings"]),
               label="a two-word header name, a header that ends another's name, two names on a line")
    yield Case(("No sections in this note.\n", ["findings"]), label="no section at all")
    yield Case(("", SECTION_HEADERS), label="an empty text")
    yield Case((make_report(31)["text"], SECTION_HEADERS), label="a whole synthetic report")


def _sections_hidden(rng):
    yield Case(("\n\nFINDINGS:\tclear\n\n", ["findings"]), label="blank lines around a section")
    yield Case(("Comparison: none. Findings: clear.\nTechnique: PA", SECTION_HEADERS),
               label="two header names on one line")
    yield Case(("clinical history: fall\nHISTORY: none", ["clinical history", "history"]),
               label="two-word header names")
    for seed in (32, 33, 34):
        yield Case((make_report(seed)["text"], SECTION_HEADERS), label="a whole synthetic report")


SPLIT_SECTIONS = Exercise(
    name="split_sections",
    points=2,
    public_cases=_sections_public,
    hidden_cases=_sections_hidden,
    compare=EXACT,
    time_limit=5.0,
    mistakes=[
        Mistake("header anywhere", lambda text, headers: _sections(text, headers, anywhere=True),
                "you started a section where a header name appears in the middle of a line "
                "('See impression: below'); a header counts only at the start of a line, after "
                "its leading whitespace."),
        Mistake("last section dropped", lambda text, headers: _sections(text, headers, drop_last=True),
                "the last section is missing: after the loop over lines, the section you were "
                "collecting still has to be stored."),
        Mistake("case-sensitive", lambda text, headers: _sections(text, headers, case=True),
                "your header match is case-sensitive ('FINDINGS:' is missed); compare the "
                "lower-cased line with the lower-case header names."),
        Mistake("indented header missed", lambda text, headers: _sections(text, headers, indented=False),
                "a header after leading spaces was missed; strip the line's leading whitespace "
                "before testing whether it starts with a header."),
        Mistake("empty preamble kept",
                lambda text, headers: _sections(text, headers, empty_preamble=True),
                "you kept an empty 'preamble'; it is left out when nothing but whitespace comes "
                "before the first header."),
        Mistake("repeated header overwritten",
                lambda text, headers: _sections(text, headers, overwrite=True),
                "a header that occurs more than once kept only its last text; join the texts of "
                "all its occurrences (empty ones included) with a newline."),
        Mistake("not stripped", lambda text, headers: _sections(text, headers, strip=False),
                "your section texts keep surrounding whitespace and newlines; strip each one."),
        Mistake("keys as written",
                lambda text, headers: _sections(text, headers, keys_as_written=True),
                "your keys are the header names as written in the report ('FINDINGS'); use the "
                "names exactly as given in `headers`."),
    ],
)


# --- label_report -------------------------------------------------------------------------------

def _labels(report, lexicon, rules, headers, *, sections=True, split=True, priority="chexpert",
            unmentioned=float("nan"), all_keys=True, first_only=False):
    """CheXpert-style labelling with one rule changed, built on the reference pieces."""
    from ....datasets.reports import tokenize_offsets

    find_mentions = reference(CHAPTER, "find_mentions")
    negex_status = reference(CHAPTER, "negex_status")
    parts = reference(CHAPTER, "split_sections")(report, headers)
    if sections and ("findings" in parts or "impression" in parts):
        report = "\n".join(parts.get(k, "") for k in ("findings", "impression"))
    statuses: dict[str, list[str]] = {c: [] for c in lexicon.values()}
    pieces = re.split(r"(?<=[.!?])\s+|\n", report) if split else report.split("\n")
    for sentence in pieces:
        tokens = tokenize_offsets(sentence)
        words = [t.lower() for t, _, _ in tokens]
        starts, ends = [t[1] for t in tokens], [t[2] for t in tokens]
        for start, end, concept in find_mentions(sentence, lexicon):
            statuses[concept].append(
                negex_status(words, (starts.index(start), ends.index(end) + 1), rules, window=5))
    out = {}
    for concept, found in statuses.items():
        if first_only:
            found = found[:1]
        if not found:
            if all_keys:
                out[concept] = unmentioned
            continue
        ranks = {"chexpert": ["affirmed", "uncertain", "negated"],
                 "negative wins": ["negated", "affirmed", "uncertain"],
                 "uncertain wins": ["uncertain", "affirmed", "negated"]}[priority]
        best = next(s for s in ranks if s in found)
        out[concept] = {"affirmed": 1.0, "uncertain": -1.0, "negated": 0.0}[best]
    return out


_SMALL_LEXICON = {"effusion": "effusion", "pleural effusion": "effusion",
                  "pneumothorax": "pneumothorax", "pneumonia": "pneumonia", "edema": "edema"}


def _label_public(rng):
    yield Case(("FINDINGS: No effusion on the left. Small right pleural effusion.\n"
                "IMPRESSION: Possible pneumonia. No pneumonia on the lateral view.",
                _SMALL_LEXICON, NEGEX_RULES, SECTION_HEADERS),
               label="a concept with a negated and an affirmed mention, another uncertain and negated")
    yield Case(("INDICATION: evaluate for pneumothorax.\nFINDINGS: No effusion. Pneumonia.\n"
                "IMPRESSION:", _SMALL_LEXICON, NEGEX_RULES, SECTION_HEADERS),
               label="a mention in the indication, two sentences, an empty impression")
    yield Case(("FINDINGS: Possible edema. Mild edema at the bases. Pneumothorax is suspected.",
                _SMALL_LEXICON, NEGEX_RULES, SECTION_HEADERS),
               label="a concept with an uncertain and an affirmed mention")
    yield Case(("No pneumothorax. Edema is suspected.", _SMALL_LEXICON, NEGEX_RULES,
                SECTION_HEADERS), label="a report without sections")
    yield Case(("INDICATION: effusion?\nIMPRESSION:", _SMALL_LEXICON, NEGEX_RULES, SECTION_HEADERS),
               label="an empty impression section only")
    yield Case((make_report(41)["text"], LEXICON, NEGEX_RULES, SECTION_HEADERS),
               label="a whole synthetic report")


def _label_hidden(rng):
    yield Case(("FINDINGS: effusion is absent. Pneumothorax has resolved.\nIMPRESSION: No edema.",
                _SMALL_LEXICON, NEGEX_RULES, SECTION_HEADERS), label="only negated mentions")
    yield Case(("IMPRESSION: Pneumonia not excluded. No effusion. Large effusion.", _SMALL_LEXICON,
                NEGEX_RULES, SECTION_HEADERS), label="mixed mentions")
    for seed in (42, 43, 44, 45, 46):
        yield Case((make_report(seed)["text"], LEXICON, NEGEX_RULES, SECTION_HEADERS),
                   label="a whole synthetic report")




def _variant(**options):
    return lambda report, lexicon, rules, headers: _labels(report, lexicon, rules, headers, **options)


LABEL_REPORT = Exercise(
    name="label_report",
    points=2,
    public_cases=_label_public,
    hidden_cases=_label_hidden,
    compare=EXACT,
    time_limit=10.0,
    advice="check which text you read (findings and impression when either section exists), how "
           "you split it into sentences, and the order positive > uncertain > negative.",
    mistakes=[
        Mistake("mixed mentions negative", _variant(priority="negative wins"),
                "a concept with both negated and affirmed mentions came out negative; CheXpert "
                "labels it positive when ANY mention is affirmed (1.0), else uncertain (-1.0) when "
                "any is uncertain, and negative (0.0) only when all are negated."),
        Mistake("uncertain wins", _variant(priority="uncertain wins"),
                "a concept with an affirmed and an uncertain mention came out uncertain; one "
                "affirmed mention makes it positive."),
        Mistake("whole report", _variant(sections=False),
                "you read mentions in the whole report, including the indication ('evaluate for "
                "pneumothorax' is a question, not a finding); read the findings and impression "
                "sections when the report has either."),
        Mistake("no sentence split", _variant(split=False),
                "you did not split the text into sentences, so a negation reaches into the next "
                "sentence ('No effusion. Pneumonia.'); split on the pattern (?<=[.!?])\\s+|\\n."),
        Mistake("unmentioned negative", _variant(unmentioned=0.0),
                "a concept that is never mentioned got 0.0; 'not mentioned' is NaN, which is not "
                "the same as negative (0.0)."),
        Mistake("unmentioned left out", _variant(all_keys=False),
                "your labels leave out concepts that are not mentioned; every concept of the "
                "lexicon gets a label, NaN when not mentioned."),
        Mistake("first mention only", _variant(first_only=True),
                "you labelled each concept by its first mention only; combine all its mentions."),
    ],
)

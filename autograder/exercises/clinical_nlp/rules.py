"""Chapter 05_clinical_nlp, part 1: tokens with offsets, lexicon mentions and NegEx/ConText."""

from __future__ import annotations

import re

from ....datasets.reports import LEXICON, NEGEX_RULES, make_report, negspacy_rules
from ...compare import allclose
from ...registry import Case, Exercise, Mistake

CHAPTER = "05_clinical_nlp"
EXACT = allclose(rtol=0.0, atol=0.0)


# --- tokenize -----------------------------------------------------------------------------------

def _tokens(pattern: str, text: str, flags: int = 0, lower: bool = False, end_shift: int = 0):
    return [(m.group().lower() if lower else m.group(), m.start(), m.end() + end_shift)
            for m in re.finditer(pattern, text, flags)]


_TOKENIZE_TEXTS = [
    ("No pneumothorax.", "a short negated sentence"),
    ("Small L pleural effusion; x-ray 2.5 cm... (3/4 views)! T_2", "punctuation runs and numbers"),
    ("", "an empty text"),
    (" \n\t ", "whitespace only"),
    ("Dr. Çelik:\tnódulo de 5 mm\n\nİmpression:  clear", "accented letters, tabs and blank lines"),
]


def _tokenize_public(rng):
    for text, label in _TOKENIZE_TEXTS:
        yield Case((text,), label=label)
    yield Case((make_report(11)["text"],), label="a whole synthetic chest radiograph report")


def _tokenize_hidden(rng):
    yield Case(("   \n\t ",), label="whitespace only")
    yield Case((".",), label="a single punctuation mark")
    yield Case(("Mr.O'Brien's T_2 lesion, 4mm -- unchanged?!",), label="apostrophes, underscores")
    yield Case(("Ñandú: ÉDÈME pulmonaire — résolu.",), label="accents and a long dash")
    for seed in (12, 13):
        yield Case((make_report(seed)["text"],), label="a whole synthetic report")


TOKENIZE = Exercise(
    name="tokenize",
    points=1,
    public_cases=_tokenize_public,
    hidden_cases=_tokenize_hidden,
    compare=EXACT,
    time_limit=5.0,
    output_names=(),
    mistakes=[
        Mistake("whitespace split", lambda text: _tokens(r"\S+", text),
                "your tokens are the pieces between spaces, so 'pneumothorax.' keeps its full stop "
                "and never equals 'pneumothorax'; punctuation marks are tokens of their own."),
        Mistake("words only", lambda text: _tokens(r"\w+", text),
                "your tokens leave out punctuation; the pattern has two alternatives, a run of word "
                "characters OR one character that is neither a word character nor whitespace."),
        Mistake("lower-cased", lambda text: _tokens(r"\w+|[^\w\s]", text, lower=True),
                "your tokens are lower-cased; keep the text as written (text[start:end] == token) "
                "and lower-case only where you compare."),
        Mistake("end inclusive", lambda text: _tokens(r"\w+|[^\w\s]", text, end_shift=-1),
                "your end offsets are one short: offsets are end-exclusive, like Python slices, so "
                "text[start:end] is the whole token."),
        Mistake("punctuation runs", lambda text: _tokens(r"\w+|[^\w\s]+", text),
                "you kept runs of punctuation ('...', ');') as one token; each punctuation mark is a "
                "token of its own, [^\\w\\s] without a +."),
        Mistake("ASCII words", lambda text: _tokens(r"\w+|[^\w\s]", text, re.ASCII),
                "your word tokens stop at accented letters (é, ç, İ): in Python 3, \\w matches "
                "every Unicode letter unless you ask for ASCII."),
    ],
)


# --- find_mentions ------------------------------------------------------------------------------

def _mentions(text, lexicon, *, case=False, order="longest", overlaps="drop", lower_offsets=False,
              substring=False):
    """The matcher with one rule changed (the mistake models)."""
    from ....datasets.reports import tokenize_offsets

    source = text.lower() if lower_offsets else text
    tokens = tokenize_offsets(source)
    words = [t if case else t.lower() for t, _, _ in tokens]
    found = []
    for phrase, concept in lexicon.items():
        if substring:
            pattern = re.escape(phrase)
            for m in re.finditer(pattern, text, 0 if case else re.IGNORECASE):
                found.append((m.start(), m.end(), concept, m.end() - m.start()))
            continue
        target = [t if case else t.lower() for t, _, _ in tokenize_offsets(phrase)]
        n = len(target)
        for i in range(len(tokens) - n + 1):
            if n and words[i:i + n] == target:
                found.append((tokens[i][1], tokens[i + n - 1][2], concept, n, i))
    if overlaps == "keep":
        return sorted({f[:3] for f in found})
    sign = -1 if order in ("longest", "latest") else 1
    if order == "latest":
        found.sort(key=lambda f: (sign * f[3], -f[0]))
    else:
        found.sort(key=lambda f: (sign * f[3], f[0]))
    kept = []
    for f in found:
        if all(f[1] <= k[0] or k[1] <= f[0] for k in kept):
            kept.append(f)
    return sorted(f[:3] for f in kept)


_OVERLAP_LEXICON = {"right lower lobe": "location", "lower lobe pneumonia": "pneumonia",
                    "pneumonia": "pneumonia", "ill-defined mass": "mass", "mass": "mass"}


def _mentions_public(rng):
    yield Case(("Massive hiatal hernia. A mass in the left apex.", LEXICON),
               label="'mass' next to 'massive'")
    yield Case(("Left PLEURAL EFFUSION and small pleural effusions. No Pneumothorax.", LEXICON),
               label="upper case and plural forms")
    yield Case(("Right lower lobe pneumonia with an ill-defined mass; ill - defined mass?",
                _OVERLAP_LEXICON), label="overlapping phrases of equal length, hyphenated phrases")
    yield Case(("Dr. İnce: small effusion, no pneumothorax.", LEXICON),
               label="a name with İ, whose lower-case form is two characters long")
    yield Case(("", LEXICON), label="an empty text")
    yield Case(("No acute findings.", {}), label="an empty lexicon")
    yield Case((make_report(21)["text"], LEXICON), label="a whole synthetic report")


def _mentions_hidden(rng):
    yield Case(("Pleural effusion, effusion, EFFUSIONS and pleural-effusion.", LEXICON),
               label="repeated forms")
    yield Case(("İİ pneumothorax İ mass", LEXICON), label="several İ before the mentions")
    yield Case(("right lower lobe pneumonia lower lobe pneumonia", _OVERLAP_LEXICON),
               label="overlaps twice")
    yield Case(("masses and massive masslike change", LEXICON), label="no whole-token match")
    for seed in (22, 23, 24):
        yield Case((make_report(seed)["text"], LEXICON), label="a whole synthetic report")


FIND_MENTIONS = Exercise(
    name="find_mentions",
    points=2,
    public_cases=_mentions_public,
    hidden_cases=_mentions_hidden,
    compare=EXACT,
    time_limit=5.0,
    advice="check the three rules one at a time: whole tokens only, lower-case on both sides, and "
           "the order in which overlapping matches are kept (longest in tokens, then earliest).",
    mistakes=[
        Mistake("substring", lambda text, lexicon: _mentions(text, lexicon, substring=True),
                "you matched phrases as substrings of the text, so 'mass' is found inside "
                "'massive'; compare whole tokens (the phrase's tokens against consecutive tokens "
                "of the text)."),
        Mistake("case-sensitive", lambda text, lexicon: _mentions(text, lexicon, case=True),
                "your matching is case-sensitive, so 'PLEURAL EFFUSION' and 'Pneumothorax' are "
                "missed; lower-case both sides before comparing."),
        Mistake("shortest kept", lambda text, lexicon: _mentions(text, lexicon, order="shortest"),
                "of two overlapping matches you kept the shorter ('effusion' inside 'pleural "
                "effusion'); keep the longest in tokens first, as spacy.util.filter_spans does."),
        Mistake("both kept", lambda text, lexicon: _mentions(text, lexicon, overlaps="keep"),
                "you kept overlapping matches; a token belongs to at most one mention: drop every "
                "match that overlaps one already kept."),
        Mistake("latest start", lambda text, lexicon: _mentions(text, lexicon, order="latest"),
                "between overlapping matches of equal length you kept the later one; ties go to "
                "the earliest start."),
        Mistake("lower-case offsets", lambda text, lexicon: _mentions(text, lexicon, lower_offsets=True),
                "your offsets come from the lower-cased text, which can be longer than the text "
                "('İ'.lower() is two characters); take offsets from the original text's tokens "
                "and lower-case only the token strings you compare."),
    ],
)


# --- negex_status -------------------------------------------------------------------------------

def _negex(tokens, mention, rules, window=5, *, stops=True, pseudo=True, post=True,
           from_first=False, uncertain_first=False, longest=True, unbounded=False):
    """The NegEx/ConText resolution with one rule changed (the mistake models)."""
    i, j = mention
    found = []
    for kind, phrases in rules.items():
        for phrase in phrases:
            words = phrase.split()
            for a in range(len(tokens) - len(words) + 1):
                if words and list(tokens[a:a + len(words)]) == words:
                    found.append((a, a + len(words), kind))
    found = [m for m in found if m[1] <= i or m[0] >= j]
    if pseudo:
        shields = [m for m in found if m[2] == "pseudo"]
        found = [m for m in found if m[2] == "pseudo"
                 or not any(p[0] <= m[0] and m[1] <= p[1] for p in shields)]
    if longest:
        found = [m for m in found if not any(
            o[2] != m[2] and o[1] - o[0] > m[1] - m[0] and o[0] < m[1] and m[0] < o[1] for o in found)]
    ends = [m for m in found if m[2] == "terminate"] if stops else []
    reach = len(tokens) if unbounded else window
    status = set()
    for a, b, kind in found:
        if kind.startswith("pre_"):
            start = a if from_first else b
            stop = min([start + reach, len(tokens)] + [s[0] for s in ends if s[0] >= b])
            if b <= i < stop:
                status.add(kind[4:])
        elif kind.startswith("post_") and post:
            first = max([a - reach, 0] + [s[1] for s in ends if s[1] <= a])
            if first <= j - 1 < a:
                status.add(kind[5:])
    order = ["uncertain", "negation"] if uncertain_first else ["negation", "uncertain"]
    for kind in order:
        if kind in status:
            return "negated" if kind == "negation" else "uncertain"
    return "affirmed"


def _sentence(text: str) -> list[str]:
    from ....datasets.reports import tokenize_offsets

    return [t.lower() for t, _, _ in tokenize_offsets(text)]


def _negex_case(text: str, target: str, label: str, rules=None, **kwargs) -> Case:
    tokens = _sentence(text)
    words = target.split()
    i = next(k for k in range(len(tokens)) if tokens[k:k + len(words)] == words)
    return Case((tokens, (i, i + len(words)), rules or NEGEX_RULES), kwargs, label=label)


def _negex_public(rng):
    yield _negex_case("No pneumothorax.", "pneumothorax", "a negation before the finding")
    yield _negex_case("There is a small left pleural effusion.", "pleural effusion", "no trigger")
    yield _negex_case("No effusion but pneumonia in the right base.", "pneumonia",
                      "a terminator stops the scope ('no effusion but pneumonia')")
    yield _negex_case("No increase in the left effusion.", "effusion",
                      "a pseudo-trigger ('no increase in effusion')")
    yield _negex_case("The pleural effusion is absent.", "pleural effusion",
                      "a negation after the finding ('effusion is absent')")
    yield _negex_case("Pneumothorax ruled out.", "pneumothorax", "'ruled out' after the finding")
    yield _negex_case("No evidence of new acute focal pneumonia.", "pneumonia",
                      "a three-token trigger: the window starts after it")
    yield _negex_case("No focal airspace opacity to suggest pneumonia.", "pneumonia",
                      "a finding just past the window")
    yield _negex_case("Possible pneumonia; no effusion.", "effusion",
                      "in the scope of an uncertainty and a negation trigger")
    yield _negex_case("Pneumothorax not excluded.", "pneumothorax",
                      "'not excluded': the longer trigger wins over 'not'")
    yield _negex_case("Pneumonia, but the effusion is absent.", "pneumonia",
                      "a terminator before a post-trigger")
    yield _negex_case("Free air under the diaphragm.", "free air",
                      "negspacy's termset: 'free' inside the finding is not a trigger",
                      rules=negspacy_rules())
    yield _negex_case("No pneumothorax or large effusion.", "effusion",
                      "window of 2", window=2)
    yield _negex_case("Pneumonia is not ruled out.", "pneumonia",
                      "'not ruled out' overlaps the shorter 'ruled out' of another list")


def _negex_hidden(rng):
    yield _negex_case("Without pleural effusion.", "pleural effusion", "'without'")
    yield _negex_case("No significant change in the right pneumothorax.", "pneumothorax",
                      "a longer pseudo-trigger")
    yield _negex_case("Atelectasis however no pneumonia.", "atelectasis",
                      "a negation after a terminator, finding before")
    yield _negex_case("Suspicious for pneumonia.", "pneumonia", "an uncertainty trigger")
    yield _negex_case("Edema is suspected.", "edema", "an uncertainty post-trigger")
    yield _negex_case("No consolidation, effusion, edema or pneumothorax.", "pneumothorax",
                      "a list longer than the window")
    yield _negex_case("Nodule, which is stable, not seen on this study.", "nodule",
                      "a post-trigger beyond a terminator")
    yield _negex_case("Effusion was ruled out.", "effusion", "negspacy's post-trigger",
                      rules=negspacy_rules())
    yield _negex_case("No further pneumothorax drainage needed.", "pneumothorax",
                      "negspacy's pseudo 'no further'", rules=negspacy_rules())
    yield _negex_case("Effusion is not excluded.", "effusion", "'is not excluded'")
    yield _negex_case("No pneumothorax or large effusion.", "effusion", "window of 10", window=10)
    yield _negex_case("Possible small pneumothorax.", "pneumothorax", "possible, two tokens away")


NEGEX_STATUS = Exercise(
    name="negex_status",
    points=3,
    public_cases=_negex_public,
    hidden_cases=_negex_hidden,
    compare=EXACT,
    time_limit=5.0,
    advice="find every trigger match first, apply the three discarding rules in order, then test "
           "the scope of each remaining trigger against the mention's first (pre) or last (post) "
           "token.",
    mistakes=[
        Mistake("terminator ignored",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 stops=False),
                "your negation scope runs past a terminator ('no effusion but pneumonia' makes "
                "pneumonia negated); a scope ends at the first 'terminate' phrase."),
        Mistake("pseudo counted",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 pseudo=False),
                "you counted a trigger inside a pseudo-trigger ('no' in 'no increase in effusion'); "
                "a pseudo-trigger switches off every trigger it contains."),
        Mistake("post-triggers ignored",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 post=False),
                "you ignored post-triggers ('effusion is absent', 'pneumothorax ruled out'); they "
                "look backwards over the window of tokens before them."),
        Mistake("window from the first token",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 from_first=True),
                "you counted the window from the trigger's first token; a multi-token trigger "
                "('no evidence of') covers the `window` tokens after its LAST token."),
        Mistake("uncertainty wins",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 uncertain_first=True),
                "uncertainty won over negation; a mention in the scope of any negation trigger is "
                "negated, whatever uncertainty triggers also reach it."),
        Mistake("shorter trigger kept",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 longest=False),
                "you kept a trigger that overlaps a longer trigger of another list ('not' inside "
                "'not excluded'); the longer phrase wins."),
        Mistake("no window",
                lambda tokens, mention, rules, window=5: _negex(tokens, mention, rules, window,
                                                                 unbounded=True),
                "your scope ignores the window: a trigger reaches at most `window` tokens."),
    ],
)

"""Chapter 05_clinical_nlp: mistakes made when reading clinical text by rules and learning from
it, and other correct ways (loops vs regular expressions, spaCy, scikit-learn)."""

from tests.mutants import Alternative, Mutant

CHAPTER = "05_clinical_nlp"

# The correct cells above an exercise that some mutants build on (a learner's earlier answers).
_TOKENIZE_OK = '''
def tokenize(text):
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\\w+|[^\\w\\s]", text)]
'''

_FIND_OK = _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    toks = tokenize(text)
    low = [t.lower() for t, _, _ in toks]
    found = []
    for phrase, concept in lexicon.items():
        words = [t.lower() for t, _, _ in tokenize(phrase)]
        n = len(words)
        found += [(i, i + n, concept) for i in range(len(low) - n + 1) if low[i:i + n] == words]
    kept = []
    for i, j, c in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if all(j <= a or b <= i for a, b, _ in kept):
            kept.append((i, j, c))
    return [(toks[i][1], toks[j - 1][2], c) for i, j, c in sorted(kept)]
'''

_NEGEX_CORE = '''
def _matches(tokens, rules):
    out = []
    for kind, phrases in rules.items():
        for phrase in phrases:
            words = phrase.split()
            for a in range(len(tokens) - len(words) + 1):
                if tokens[a:a + len(words)] == words:
                    out.append((a, a + len(words), kind))
    return out


def _longest(ms):
    return [m for m in ms if not any(o[2] != m[2] and o[1] - o[0] > m[1] - m[0]
                                     and o[0] < m[1] and m[0] < o[1] for o in ms)]
'''

_NEGEX_OK = _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(list(tokens), rules) if m[1] <= i or m[0] >= j]
    pseudo = [m for m in ms if m[2] == "pseudo"]
    ms = [m for m in ms if m[2] == "pseudo" or not any(p[0] <= m[0] and m[1] <= p[1] for p in pseudo)]
    ms = [m for m in ms if not [o for o in ms if o[2] != m[2] and o[1] - o[0] > m[1] - m[0]
                                and o[0] < m[1] and m[0] < o[1]]]
    stopped = set()
    for a, b, kind in ms:
        if kind == "terminate":
            stopped.update(range(a, b))
    scopes = {"negation": set(), "uncertain": set()}
    for a, b, kind in ms:
        if kind.startswith("pre_"):
            k = b
            while k < min(b + window, len(tokens)) and k not in stopped:
                scopes[kind[4:]].add(("first", k))
                k += 1
        elif kind.startswith("post_"):
            k = a - 1
            while k >= max(a - window, 0) and k not in stopped:
                scopes[kind[5:]].add(("last", k))
                k -= 1
    for name, status in (("negation", "negated"), ("uncertain", "uncertain")):
        if ("first", i) in scopes[name] or ("last", j - 1) in scopes[name]:
            return status
    return "affirmed"
'''

_SECTIONS_LOOP = '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    def close():
        body = "\\n".join(lines).strip()
        if current == "preamble" and not body:
            return
        out[current] = body if current not in out else out[current] + "\\n" + body
    for line in text.split("\\n"):
        low = line.lstrip().lower()
        hit = [h for h in headers if low.startswith(h + ":")]
        if not hit:
            lines.append(line)
            continue
        close()
        current, lines = hit[0], [line.lstrip()[len(hit[0]) + 1:]]
    close()
    return out
'''

_LABEL_TEMPLATE = '''
def label_report(report, lexicon, rules, headers):
    parts = split_sections(report, headers)
    {READ}
    found = {{c: [] for c in lexicon.values()}}
    for sentence in {SPLIT}:
        toks = tokenize(sentence)
        low = [t.lower() for t, _, _ in toks]
        for s, e, concept in find_mentions(sentence, lexicon):
            i = [t[1] for t in toks].index(s)
            j = [t[2] for t in toks].index(e) + 1
            found[concept].append(negex_status(low, (i, j), rules, window=5))
    out = {{}}
    for concept, statuses in found.items():
        {COMBINE}
    return out
'''
_READ_OK = '''if "findings" in parts or "impression" in parts:
        report = parts.get("findings", "") + "\\n" + parts.get("impression", "")'''
_SPLIT_OK = 're.split(r"(?<=[.!?])\\s+|\\n", report)'
_COMBINE_OK = '''if "affirmed" in statuses:
            out[concept] = 1.0
        elif "uncertain" in statuses:
            out[concept] = -1.0
        elif statuses:
            out[concept] = 0.0
        else:
            out[concept] = float("nan")'''


def _label(read=_READ_OK, split=_SPLIT_OK, combine=_COMBINE_OK):
    body = _LABEL_TEMPLATE.format(READ=read, SPLIT=split, COMBINE=combine)
    return _FIND_OK + _NEGEX_OK + _SECTIONS_LOOP + body


_DEID_TEMPLATE = '''
def deidentify(text):
    words = r"[A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)+"
    month = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    rules = [
        ("EMAIL", r"[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+"),
        ("DATE", {DATE}),
        ("PHONE", r"\\(\\d{{3}}\\) ?\\d{{3}}-\\d{{4}}|\\b\\d{{3}}-\\d{{3}}-\\d{{4}}\\b"),
        ("MRN", {MRN}),
        ("AGE_OVER_89", r"\\b(9\\d|1[0-4]\\d)(?=[- ]years?[- ]old)"),
        ("ADDRESS", r"\\b\\d{{1,5}} (?:[A-Z][a-z]+ )+(?:Street|Avenue|Road|Drive|Lane|Boulevard)\\b"),
        ("NAME", {NAME}),
    ]{EXTRA}
    found = []
    for category, pattern in rules:
        for m in {FIND}:
            g = m.lastindex or 0
            found.append((m.start(g), m.end(g), category))
    spans = []
    for s, e, c in sorted(found, key=lambda x: (x[0], -x[1])):
        if not spans or s >= spans[-1][1]:
            spans.append((s, e, c))
    out, last = "", 0
    for s, e, c in spans:
        out += text[last:s] + "[" + c + "]"
        last = e
    {RETURN}
'''
_DATE_OK = (r'r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b" + month + r" \d{1,2}, \d{4}\b"')
_MRN_OK = r'r"MRN:?\s*(\d+)"'
_NAME_OK = r'r"(?:Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Patient:|[Ss]igned by)[ \t]+(" + words + ")"'


def _deid(date=_DATE_OK, mrn=_MRN_OK, name=_NAME_OK, extra="", find="re.finditer(pattern, text)",
          ret="return out + text[last:], spans"):
    return _DEID_TEMPLATE.format(DATE=date, MRN=mrn, NAME=name, EXTRA=extra, FIND=find, RETURN=ret)


_CLASSIFIER_TEMPLATE = '''
def build_report_classifier(train_texts, train_labels):
    from sklearn.feature_extraction.text import {VEC}
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    pipe = make_pipeline({VEC}({VARGS}), LogisticRegression(max_iter=2000))
    pipe.fit(train_texts, train_labels)

    class Wrapped:
        def predict_proba(self, texts):
            {PROBA}
    return Wrapped()
'''


def _classifier(vec="TfidfVectorizer", vargs="", proba="return pipe.predict_proba(texts)[:, 1]"):
    return _CLASSIFIER_TEMPLATE.format(VEC=vec, VARGS=vargs, PROBA=proba)


_NEG_MARK = '''
def _mark(text):
    out = []
    for sentence in re.split(r"(?<=[.!?])\\s+|\\n", text.lower()):
        words = re.findall(r"[a-z]+", sentence)
        scope = set()
        for k, w in enumerate(words):
            if w in ("no", "not", "without", "negative", "absence", "free", "possible", "possibly",
                     "probable", "likely", "questionable", "suspicious", "concerning", "may"):
                scope.update(range(k + 1, k + 6))
            if w in ("absent", "resolved", "ruled", "seen", "excluded", "suspected"):
                scope.update(range(max(k - 5, 0), k))
        out += ["neg_" + w if k in scope else w for k, w in enumerate(words)]
    return " ".join(out)
'''

MUTANTS = [
    # tokenize
    Mutant("tokenize", "splits on whitespace", '''
def tokenize(text):
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\\S+", text)]
''', "pieces between spaces"),
    Mutant("tokenize", "words only", '''
def tokenize(text):
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\\w+", text)]
''', "leave out punctuation"),
    Mutant("tokenize", "lower-cases the tokens", '''
def tokenize(text):
    return [(m.group().lower(), m.start(), m.end()) for m in re.finditer(r"\\w+|[^\\w\\s]", text)]
''', "are lower-cased"),
    Mutant("tokenize", "inclusive end offsets", '''
def tokenize(text):
    return [(m.group(), m.start(), m.end() - 1) for m in re.finditer(r"\\w+|[^\\w\\s]", text)]
''', "one short"),
    Mutant("tokenize", "runs of punctuation", '''
def tokenize(text):
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\\w+|[^\\w\\s]+", text)]
''', "runs of punctuation"),
    Mutant("tokenize", "ASCII letters only", '''
def tokenize(text):
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9_]+|[^\\w\\s]", text)]
''', "accented letters"),
    # find_mentions
    Mutant("find_mentions", "substring search ('mass' in 'massive')", '''
def find_mentions(text, lexicon):
    found = []
    for phrase, concept in lexicon.items():
        for m in re.finditer(re.escape(phrase), text, re.IGNORECASE):
            found.append((m.start(), m.end(), concept))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    kept = []
    for f in found:
        if all(f[1] <= k[0] or k[1] <= f[0] for k in kept):
            kept.append(f)
    return sorted(kept)
''', "inside"),
    Mutant("find_mentions", "case-sensitive", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    tokens = tokenize(text)
    words = [t for t, _, _ in tokens]
    found = []
    for phrase, concept in lexicon.items():
        p = [t for t, _, _ in tokenize(phrase)]
        for i in range(len(words) - len(p) + 1):
            if words[i:i + len(p)] == p:
                found.append((i, i + len(p), concept))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    kept, used = [], set()
    for i, j, c in found:
        if not used & set(range(i, j)):
            used |= set(range(i, j))
            kept.append((tokens[i][1], tokens[j - 1][2], c))
    return sorted(kept)
''', "case-sensitive"),
    Mutant("find_mentions", "keeps the shorter match", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    tokens = tokenize(text)
    words = [t.lower() for t, _, _ in tokens]
    found = []
    for phrase, concept in lexicon.items():
        p = [t.lower() for t, _, _ in tokenize(phrase)]
        for i in range(len(words) - len(p) + 1):
            if words[i:i + len(p)] == p:
                found.append((i, i + len(p), concept))
    found.sort(key=lambda f: (f[1] - f[0], f[0]))
    kept, used = [], set()
    for i, j, c in found:
        if not used & set(range(i, j)):
            used |= set(range(i, j))
            kept.append((tokens[i][1], tokens[j - 1][2], c))
    return sorted(kept)
''', "kept the shorter"),
    Mutant("find_mentions", "keeps both overlapping matches", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    tokens = tokenize(text)
    words = [t.lower() for t, _, _ in tokens]
    found = set()
    for phrase, concept in lexicon.items():
        p = [t.lower() for t, _, _ in tokenize(phrase)]
        for i in range(len(words) - len(p) + 1):
            if words[i:i + len(p)] == p:
                found.add((tokens[i][1], tokens[i + len(p) - 1][2], concept))
    return sorted(found)
''', "kept overlapping matches"),
    Mutant("find_mentions", "offsets of the lower-cased text", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    tokens = tokenize(text.lower())
    words = [t for t, _, _ in tokens]
    found = []
    for phrase, concept in lexicon.items():
        p = [t.lower() for t, _, _ in tokenize(phrase)]
        for i in range(len(words) - len(p) + 1):
            if words[i:i + len(p)] == p:
                found.append((i, i + len(p), concept))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    kept, used = [], set()
    for i, j, c in found:
        if not used & set(range(i, j)):
            used |= set(range(i, j))
            kept.append((tokens[i][1], tokens[j - 1][2], c))
    return sorted(kept)
''', "offsets come from the lower-cased text"),
    Mutant("find_mentions", "ties go to the later start", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    tokens = tokenize(text)
    words = [t.lower() for t, _, _ in tokens]
    found = []
    for phrase, concept in lexicon.items():
        p = [t.lower() for t, _, _ in tokenize(phrase)]
        for i in range(len(words) - len(p) + 1):
            if words[i:i + len(p)] == p:
                found.append((i, i + len(p), concept))
    found.sort(key=lambda f: (f[0] - f[1], -f[0]))
    kept, used = [], set()
    for i, j, c in found:
        if not used & set(range(i, j)):
            used |= set(range(i, j))
            kept.append((tokens[i][1], tokens[j - 1][2], c))
    return sorted(kept)
''', "earliest start"),
    # negex_status
    Mutant("negex_status", "scope not stopped by a terminator", _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(tokens, rules) if m[1] <= i or m[0] >= j]
    ps = [m for m in ms if m[2] == "pseudo"]
    ms = [m for m in ms if m[2] == "pseudo" or not any(p[0] <= m[0] and m[1] <= p[1] for p in ps)]
    ms = _longest(ms)
    hits = set()
    for a, b, kind in ms:
        if kind.startswith("pre_") and b <= i < min(b + window, len(tokens)):
            hits.add(kind[4:])
        if kind.startswith("post_") and max(a - window, 0) <= j - 1 < a:
            hits.add(kind[5:])
    return "negated" if "negation" in hits else "uncertain" if "uncertain" in hits else "affirmed"
''', "runs past a terminator"),
    Mutant("negex_status", "pseudo-triggers ignored", _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(tokens, rules) if (m[1] <= i or m[0] >= j) and m[2] != "pseudo"]
    ms = _longest(ms)
    stops = [m for m in ms if m[2] == "terminate"]
    hits = set()
    for a, b, kind in ms:
        if kind.startswith("pre_"):
            end = min([b + window, len(tokens)] + [s[0] for s in stops if s[0] >= b])
            if b <= i < end:
                hits.add(kind[4:])
        if kind.startswith("post_"):
            start = max([a - window, 0] + [s[1] for s in stops if s[1] <= a])
            if start <= j - 1 < a:
                hits.add(kind[5:])
    return "negated" if "negation" in hits else "uncertain" if "uncertain" in hits else "affirmed"
''', "pseudo-trigger"),
    Mutant("negex_status", "post-triggers ignored", _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(tokens, rules) if m[1] <= i or m[0] >= j]
    ps = [m for m in ms if m[2] == "pseudo"]
    ms = [m for m in ms if m[2] == "pseudo" or not any(p[0] <= m[0] and m[1] <= p[1] for p in ps)]
    ms = _longest(ms)
    stops = [m for m in ms if m[2] == "terminate"]
    hits = set()
    for a, b, kind in ms:
        if kind.startswith("pre_"):
            end = min([b + window, len(tokens)] + [s[0] for s in stops if s[0] >= b])
            if b <= i < end:
                hits.add(kind[4:])
    return "negated" if "negation" in hits else "uncertain" if "uncertain" in hits else "affirmed"
''', "ignored post-triggers"),
    Mutant("negex_status", "window counted from the trigger's first token", _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(tokens, rules) if m[1] <= i or m[0] >= j]
    ps = [m for m in ms if m[2] == "pseudo"]
    ms = [m for m in ms if m[2] == "pseudo" or not any(p[0] <= m[0] and m[1] <= p[1] for p in ps)]
    ms = _longest(ms)
    stops = [m for m in ms if m[2] == "terminate"]
    hits = set()
    for a, b, kind in ms:
        if kind.startswith("pre_"):
            end = min([a + window, len(tokens)] + [s[0] for s in stops if s[0] >= b])
            if b <= i < end:
                hits.add(kind[4:])
        if kind.startswith("post_"):
            start = max([a - window, 0] + [s[1] for s in stops if s[1] <= a])
            if start <= j - 1 < a:
                hits.add(kind[5:])
    return "negated" if "negation" in hits else "uncertain" if "uncertain" in hits else "affirmed"
''', "LAST token"),
    Mutant("negex_status", "uncertainty wins over negation", _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(tokens, rules) if m[1] <= i or m[0] >= j]
    ps = [m for m in ms if m[2] == "pseudo"]
    ms = [m for m in ms if m[2] == "pseudo" or not any(p[0] <= m[0] and m[1] <= p[1] for p in ps)]
    ms = _longest(ms)
    stops = [m for m in ms if m[2] == "terminate"]
    hits = set()
    for a, b, kind in ms:
        if kind.startswith("pre_"):
            end = min([b + window, len(tokens)] + [s[0] for s in stops if s[0] >= b])
            if b <= i < end:
                hits.add(kind[4:])
        if kind.startswith("post_"):
            start = max([a - window, 0] + [s[1] for s in stops if s[1] <= a])
            if start <= j - 1 < a:
                hits.add(kind[5:])
    return "uncertain" if "uncertain" in hits else "negated" if "negation" in hits else "affirmed"
''', "uncertainty won over negation"),
    Mutant("negex_status", "shorter overlapping trigger kept", _NEGEX_CORE + '''
def negex_status(tokens, mention, rules, window=5):
    i, j = mention
    ms = [m for m in _matches(tokens, rules) if m[1] <= i or m[0] >= j]
    ps = [m for m in ms if m[2] == "pseudo"]
    ms = [m for m in ms if m[2] == "pseudo" or not any(p[0] <= m[0] and m[1] <= p[1] for p in ps)]
    stops = [m for m in ms if m[2] == "terminate"]
    hits = set()
    for a, b, kind in ms:
        if kind.startswith("pre_"):
            end = min([b + window, len(tokens)] + [s[0] for s in stops if s[0] >= b])
            if b <= i < end:
                hits.add(kind[4:])
        if kind.startswith("post_"):
            start = max([a - window, 0] + [s[1] for s in stops if s[1] <= a])
            if start <= j - 1 < a:
                hits.add(kind[5:])
    return "negated" if "negation" in hits else "uncertain" if "uncertain" in hits else "affirmed"
''', "longer phrase wins"),
    # split_sections
    Mutant("split_sections", "header matched in the middle of a line", '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    def close():
        body = "\\n".join(lines).strip()
        if current == "preamble" and not body:
            return
        out[current] = body if current not in out else out[current] + "\\n" + body
    for line in text.split("\\n"):
        low = line.lower()
        hit = [h for h in headers if h + ":" in low]
        if not hit:
            lines.append(line)
            continue
        close()
        at = low.index(hit[0] + ":")
        current, lines = hit[0], [line[at + len(hit[0]) + 1:]]
    close()
    return out
''', "middle of a line"),
    Mutant("split_sections", "last section dropped", '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    for line in text.split("\\n"):
        low = line.lstrip().lower()
        hit = [h for h in headers if low.startswith(h + ":")]
        if not hit:
            lines.append(line)
            continue
        body = "\\n".join(lines).strip()
        if current != "preamble" or body:
            out[current] = body if current not in out else out[current] + "\\n" + body
        current, lines = hit[0], [line.lstrip()[len(hit[0]) + 1:]]
    return out
''', "last section is missing"),
    Mutant("split_sections", "case-sensitive headers", '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    def close():
        body = "\\n".join(lines).strip()
        if current == "preamble" and not body:
            return
        out[current] = body if current not in out else out[current] + "\\n" + body
    for line in text.split("\\n"):
        low = line.lstrip()
        hit = [h for h in headers if low.startswith(h + ":")]
        if not hit:
            lines.append(line)
            continue
        close()
        current, lines = hit[0], [line.lstrip()[len(hit[0]) + 1:]]
    close()
    return out
''', "case-sensitive"),
    Mutant("split_sections", "repeated header overwritten", '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    def close():
        body = "\\n".join(lines).strip()
        if current == "preamble" and not body:
            return
        out[current] = body
    for line in text.split("\\n"):
        low = line.lstrip().lower()
        hit = [h for h in headers if low.startswith(h + ":")]
        if not hit:
            lines.append(line)
            continue
        close()
        current, lines = hit[0], [line.lstrip()[len(hit[0]) + 1:]]
    close()
    return out
''', "kept only its last text"),
    Mutant("split_sections", "empty preamble kept", '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    def close():
        body = "\\n".join(lines).strip()
        out[current] = body if current not in out else out[current] + "\\n" + body
    for line in text.split("\\n"):
        low = line.lstrip().lower()
        hit = [h for h in headers if low.startswith(h + ":")]
        if not hit:
            lines.append(line)
            continue
        close()
        current, lines = hit[0], [line.lstrip()[len(hit[0]) + 1:]]
    close()
    return out
''', "empty 'preamble'"),
    Mutant("split_sections", "indented headers missed", '''
def split_sections(text, headers):
    out, current, lines = {}, "preamble", []
    def close():
        body = "\\n".join(lines).strip()
        if current == "preamble" and not body:
            return
        out[current] = body if current not in out else out[current] + "\\n" + body
    for line in text.split("\\n"):
        hit = [h for h in headers if line.lower().startswith(h + ":")]
        if not hit:
            lines.append(line)
            continue
        close()
        current, lines = hit[0], [line[len(hit[0]) + 1:]]
    close()
    return out
''', "leading spaces"),
    # label_report
    Mutant("label_report", "a concept with mixed mentions labelled negative",
           _label(combine='''if "negated" in statuses:
            out[concept] = 0.0
        elif "affirmed" in statuses:
            out[concept] = 1.0
        elif statuses:
            out[concept] = -1.0
        else:
            out[concept] = float("nan")'''), "came out negative"),
    Mutant("label_report", "whole report read", _label(read="pass"), "including the indication"),
    Mutant("label_report", "no sentence split", _label(split='report.split("\\n")'),
           "into the next sentence"),
    Mutant("label_report", "not mentioned labelled negative",
           _label(combine='''out[concept] = (1.0 if "affirmed" in statuses
                          else -1.0 if "uncertain" in statuses else 0.0)'''),
           "is NaN"),
    Mutant("label_report", "uncertain beats positive",
           _label(combine='''if "uncertain" in statuses:
            out[concept] = -1.0
        elif "affirmed" in statuses:
            out[concept] = 1.0
        elif statuses:
            out[concept] = 0.0
        else:
            out[concept] = float("nan")'''), "one affirmed mention makes it positive"),
    Mutant("label_report", "only concepts that are mentioned",
           _label(combine='''if statuses:
            out[concept] = 1.0 if "affirmed" in statuses else -1.0 if "uncertain" in statuses else 0.0'''),
           "leave out concepts"),
    # deidentify
    Mutant("deidentify", "names forgotten", _deid(name='r"(?!x)x"'), "NAME ("),
    Mutant("deidentify", "titles inside the NAME span",
           _deid(name=r'r"(?:Dr\.?|Mr\.?|Mrs\.?|Ms\.?) " + words'
                      r' + r"|(?:Patient:|[Ss]igned by)[ \t]+(" + words + ")"'),
           "leave titles such as 'Dr.' out"),
    Mutant("deidentify", "every number redacted as a date", _deid(date=r'r"\d+(?:[/-]\d+)*"'),
           "not every number is PHI"),
    Mutant("deidentify", "numeric dates only", _deid(date=r'r"\b\d{1,2}/\d{1,2}/\d{4}\b"'),
           "DATE ("),
    Mutant("deidentify", "labels inside the spans",
           _deid(mrn=r'r"MRN:?\s*\d+"', extra='''
    rules.append(("DATE", r"DOB: \\d{1,2}/\\d{1,2}/\\d{4}"))
    rules.insert(0, ("PHONE", r"tel\\. (?:\\(\\d{3}\\) ?\\d{3}-\\d{4}|\\d{3}-\\d{3}-\\d{4})"))'''),
           "without labels such as 'MRN:'"),
    Mutant("deidentify", "spans returned but not replaced", _deid(ret="return text, spans"),
           "do not give your redacted text"),
    Mutant("deidentify", "first match of each rule only",
           _deid(find="[x for x in [re.search(pattern, text)] if x]"), "token recall"),
    # span_scores
    Mutant("span_scores", "strict precision divided by the number of gold spans", '''
def span_scores(gold, pred, mode="strict"):
    ok = (lambda p, g: tuple(p) == tuple(g)) if mode == "strict" else (
        lambda p, g: p[2] == g[2] and p[0] < g[1] and g[0] < p[1])
    precision = sum(any(ok(p, g) for g in gold) for p in pred) / len(gold) if gold else 0.0
    recall = sum(any(ok(p, g) for p in pred) for g in gold) / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
''', "divided by the number of gold spans"),
    Mutant("span_scores", "labels ignored in overlap mode", '''
def span_scores(gold, pred, mode="strict"):
    ok = (lambda p, g: tuple(p) == tuple(g)) if mode == "strict" else (
        lambda p, g: p[0] < g[1] and g[0] < p[1])
    precision = sum(any(ok(p, g) for g in gold) for p in pred) / len(pred) if pred else 0.0
    recall = sum(any(ok(p, g) for p in pred) for g in gold) / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
''', "whatever their labels"),
    Mutant("span_scores", "touching spans overlap", '''
def span_scores(gold, pred, mode="strict"):
    ok = (lambda p, g: tuple(p) == tuple(g)) if mode == "strict" else (
        lambda p, g: p[2] == g[2] and p[0] <= g[1] and g[0] <= p[1])
    precision = sum(any(ok(p, g) for g in gold) for p in pred) / len(pred) if pred else 0.0
    recall = sum(any(ok(p, g) for p in pred) for g in gold) / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
''', "only touch"),
    Mutant("span_scores", "F1 as the arithmetic mean", '''
def span_scores(gold, pred, mode="strict"):
    ok = (lambda p, g: tuple(p) == tuple(g)) if mode == "strict" else (
        lambda p, g: p[2] == g[2] and p[0] < g[1] and g[0] < p[1])
    precision = sum(any(ok(p, g) for g in gold) for p in pred) / len(pred) if pred else 0.0
    recall = sum(any(ok(p, g) for p in pred) for g in gold) / len(gold) if gold else 0.0
    return precision, recall, (precision + recall) / 2
''', "harmonic"),
    Mutant("span_scores", "duplicates collapsed with set()", '''
def span_scores(gold, pred, mode="strict"):
    pred = list(set(map(tuple, pred)))
    ok = (lambda p, g: tuple(p) == tuple(g)) if mode == "strict" else (
        lambda p, g: p[2] == g[2] and p[0] < g[1] and g[0] < p[1])
    precision = sum(any(ok(p, g) for g in gold) for p in pred) / len(pred) if pred else 0.0
    recall = sum(any(ok(p, g) for p in pred) for g in gold) / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
''', "duplicates count separately"),
    Mutant("span_scores", "0/0 raises", '''
def span_scores(gold, pred, mode="strict"):
    ok = (lambda p, g: tuple(p) == tuple(g)) if mode == "strict" else (
        lambda p, g: p[2] == g[2] and p[0] < g[1] and g[0] < p[1])
    precision = sum(any(ok(p, g) for g in gold) for p in pred) / len(pred)
    recall = sum(any(ok(p, g) for p in pred) for g in gold) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)
''', "ZeroDivisionError"),
    # tfidf
    Mutant("tfidf", "idf without the + 1", '''
def tfidf(docs, vocabulary):
    tf = np.array([[doc.count(t) for t in vocabulary] for doc in docs], dtype=float)
    idf = np.log((1 + len(docs)) / (1 + (tf > 0).sum(axis=0)))
    x = tf * idf
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)
''', "lacks the final + 1"),
    Mutant("tfidf", "no smoothing", '''
def tfidf(docs, vocabulary):
    tf = np.array([[doc.count(t) for t in vocabulary] for doc in docs], dtype=float)
    idf = np.log(len(docs) / (tf > 0).sum(axis=0)) + 1
    x = tf * idf
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)
''', "not smoothed"),
    Mutant("tfidf", "L1 normalisation", '''
def tfidf(docs, vocabulary):
    tf = np.array([[doc.count(t) for t in vocabulary] for doc in docs], dtype=float)
    idf = np.log((1 + len(docs)) / (1 + (tf > 0).sum(axis=0))) + 1
    x = tf * idf
    n = x.sum(axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)
''', "L1-normalised"),
    Mutant("tfidf", "a row of zeros becomes NaN", '''
def tfidf(docs, vocabulary):
    tf = np.array([[doc.count(t) for t in vocabulary] for doc in docs], dtype=float)
    idf = np.log((1 + len(docs)) / (1 + (tf > 0).sum(axis=0))) + 1
    x = tf * idf
    return x / np.linalg.norm(x, axis=1, keepdims=True)
''', "row of zeros stays zero"),
    Mutant("tfidf", "binary term frequency", '''
def tfidf(docs, vocabulary):
    tf = np.array([[float(t in doc) for t in vocabulary] for doc in docs])
    idf = np.log((1 + len(docs)) / (1 + (tf > 0).sum(axis=0))) + 1
    x = tf * idf
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)
''', "raw count"),
    Mutant("tfidf", "no normalisation", '''
def tfidf(docs, vocabulary):
    tf = np.array([[doc.count(t) for t in vocabulary] for doc in docs], dtype=float)
    return tf * (np.log((1 + len(docs)) / (1 + (tf > 0).sum(axis=0))) + 1)
''', "not normalised"),
    # micro_macro_f1
    Mutant("micro_macro_f1", "micro and macro swapped", '''
def micro_macro_f1(y_true, y_pred):
    from sklearn.metrics import f1_score
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (f1_score(y_true, y_pred, average="macro", zero_division=0),
            f1_score(y_true, y_pred, average="micro", zero_division=0))
''', "swapped"),
    Mutant("micro_macro_f1", "labels with 0/0 skipped", '''
def micro_macro_f1(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp = (t * p).sum(0); fp = ((1 - t) * p).sum(0); fn = (t * (1 - p)).sum(0)
    micro = 2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum()) if (tp.sum() + fp.sum() + fn.sum()) else 0.0
    with np.errstate(invalid="ignore"):
        per = 2 * tp / (2 * tp + fp + fn)
    return float(micro), float(np.nanmean(per)) if not np.all(np.isnan(per)) else 0.0
''', "skips labels"),
    Mutant("micro_macro_f1", "micro F1 as accuracy", '''
def micro_macro_f1(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp = (t * p).sum(0); fp = ((1 - t) * p).sum(0); fn = (t * (1 - p)).sum(0)
    d = 2 * tp + fp + fn
    per = np.where(d > 0, 2 * tp / np.maximum(d, 1), 0.0)
    return float((t == p).mean()), float(per.mean())
''', "accuracy"),
    Mutant("micro_macro_f1", "F1 per report (rows)", '''
def micro_macro_f1(y_true, y_pred):
    from sklearn.metrics import f1_score
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (f1_score(y_true, y_pred, average="micro", zero_division=0),
            f1_score(y_true, y_pred, average="samples", zero_division=0))
''', "per report"),
    Mutant("micro_macro_f1", "support-weighted average", '''
def micro_macro_f1(y_true, y_pred):
    from sklearn.metrics import f1_score
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (f1_score(y_true, y_pred, average="micro", zero_division=0),
            f1_score(y_true, y_pred, average="weighted", zero_division=0))
''', "weighted by support"),
    # build_report_classifier
    Mutant("build_report_classifier", "plain bag of words", _classifier(), "bag of words"),
    Mutant("build_report_classifier", "word counts, uni+bigrams", _classifier(
        vec="CountVectorizer", vargs="ngram_range=(1, 2)"), "negation-aware features"),
    Mutant("build_report_classifier", "probability of class 0", _NEG_MARK + _classifier(
        vargs="preprocessor=_mark, ngram_range=(1, 2)", proba="return pipe.predict_proba(texts)[:, 0]"),
        "probability of class 0"),
    Mutant("build_report_classifier", "both columns returned", _NEG_MARK + _classifier(
        vargs="preprocessor=_mark", proba="return pipe.predict_proba(texts)"), "keep the column of class 1"),
    Mutant("build_report_classifier", "hard 0/1 predictions", _NEG_MARK + _classifier(
        vargs="preprocessor=_mark", proba="return pipe.predict(texts).astype(float)"),
        "not hard 0/1 predictions"),
    Mutant("build_report_classifier", "the pipeline returned as it is", '''
def build_report_classifier(train_texts, train_labels):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(train_texts, train_labels)
''', "shape (3, 2)"),
]

ALTERNATIVES = [
    Alternative("tokenize", "character loop", '''
def tokenize(text):
    out, k = [], 0
    while k < len(text):
        c = text[k]
        if c.isspace():
            k += 1
        elif c.isalnum() or c == "_" or re.match(r"\\w", c):
            start = k
            while k < len(text) and re.match(r"\\w", text[k]):
                k += 1
            out.append((text[start:k], start, k))
        else:
            out.append((c, k, k + 1))
            k += 1
    return out
'''),
    Alternative("tokenize", "findall then offsets", '''
def tokenize(text):
    pattern = re.compile(r"\\w+|[^\\w\\s]")
    return [(m[0], m.span()[0], m.span()[1]) for m in pattern.finditer(text)]
'''),
    Alternative("find_mentions", "spaCy PhraseMatcher + filter_spans", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    import spacy
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span
    from spacy.util import filter_spans
    nlp = spacy.blank("en")
    def doc_of(s):
        toks = tokenize(s)
        return Doc(nlp.vocab, words=[t for t, _, _ in toks] or [""], spaces=[True] * max(len(toks), 1)), toks
    if not tokenize(text):
        return []
    doc, toks = doc_of(text)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for phrase, concept in lexicon.items():
        matcher.add(concept, [doc_of(phrase)[0]])
    spans = filter_spans([Span(doc, s, e, label=m) for m, s, e in matcher(doc)])
    return sorted((toks[s.start][1], toks[s.end - 1][2], s.label_) for s in spans)
'''),
    Alternative("find_mentions", "regex over joined tokens", _TOKENIZE_OK + '''
def find_mentions(text, lexicon):
    toks = tokenize(text)
    low = [t.lower() for t, _, _ in toks]
    found = []
    for phrase, concept in lexicon.items():
        words = [t.lower() for t, _, _ in tokenize(phrase)]
        n = len(words)
        found += [(i, i + n, concept) for i in range(len(low) - n + 1) if low[i:i + n] == words]
    kept = []
    for i, j, c in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if all(j <= a or b <= i for a, b, _ in kept):
            kept.append((i, j, c))
    return [(toks[i][1], toks[j - 1][2], c) for i, j, c in sorted(kept)]
'''),
    Alternative("negex_status", "scopes as sets of token indices", _NEGEX_OK),
    Alternative("split_sections", "loop with a dict of lists", _SECTIONS_LOOP),
    Alternative("split_sections", "regular expression on lines", '''
def split_sections(text, headers):
    names = "|".join(re.escape(h) for h in headers)
    pattern = re.compile(r"^\\s*(" + names + r"):", re.IGNORECASE)
    parts, current, buf = {}, "preamble", []
    for line in text.split("\\n") + [None]:
        m = pattern.match(line) if line is not None else None
        if line is None or m:
            body = "\\n".join(buf).strip()
            if current != "preamble" or body:
                parts.setdefault(current, []).append(body)
            if line is None:
                break
            current = next(h for h in headers if h == m.group(1).lower())
            buf = [line[m.end():]]
        else:
            buf.append(line)
    return {k: "\\n".join(v) for k, v in parts.items()}
'''),
    Alternative("label_report", "explicit if/elif", _label()),
    Alternative("deidentify", "the same rules, spans first", _deid()),
    Alternative("deidentify", "one regular expression with named groups, re.sub", '''
def deidentify(text):
    name = r"[A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)+"
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    pattern = re.compile(
        r"(?P<EMAIL>[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+)"
        r"|(?P<DATE>\\b\\d\\d?/\\d\\d?/\\d{4}\\b|\\b\\d{4}-\\d\\d-\\d\\d\\b"
        r"|\\b(?:" + months + r") \\d\\d?, \\d{4}\\b)"
        r"|(?P<PHONE>\\(\\d{3}\\) ?\\d{3}-\\d{4}|\\b\\d{3}-\\d{3}-\\d{4}\\b)"
        r"|(?<=MRN: )(?P<MRN>\\d+)"
        r"|(?P<AGE_OVER_89>\\b(?:9\\d|1[0-4]\\d)(?=-year-old))"
        r"|(?P<ADDRESS>\\b\\d{1,5} (?:[A-Z][a-z]+ )+(?:Street|Avenue|Road|Drive|Lane|Boulevard)\\b)"
        r"|(?:(?<=Dr\\. )|(?<=Dr )|(?<=Mrs\\. )|(?<=Mr\\. )|(?<=Ms\\. )|(?<=Patient: )|(?<=igned by ))"
        r"(?P<NAME>" + name + ")")
    spans = [(m.start(), m.end(), m.lastgroup) for m in pattern.finditer(text)]
    return pattern.sub(lambda m: "[" + m.lastgroup + "]", text), spans
'''),
    Alternative("span_scores", "counting with loops", '''
def span_scores(gold, pred, mode="strict"):
    def ok(p, g):
        if mode == "strict":
            return p[0] == g[0] and p[1] == g[1] and p[2] == g[2]
        return p[2] == g[2] and p[0] < g[1] and g[0] < p[1]
    correct = 0
    for p in pred:
        for g in gold:
            if ok(p, g):
                correct += 1
                break
    matched = 0
    for g in gold:
        for p in pred:
            if ok(p, g):
                matched += 1
                break
    precision = correct / len(pred) if len(pred) > 0 else 0.0
    recall = matched / len(gold) if len(gold) > 0 else 0.0
    if precision + recall == 0:
        return precision, recall, 0.0
    return precision, recall, 2 * precision * recall / (precision + recall)
'''),
    Alternative("tfidf", "scikit-learn's TfidfVectorizer", '''
def tfidf(docs, vocabulary):
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(vocabulary=vocabulary, analyzer=lambda d: d).fit_transform(docs).toarray()
'''),
    Alternative("tfidf", "Counter and loops", '''
def tfidf(docs, vocabulary):
    from collections import Counter
    n = len(docs)
    df = [sum(t in set(d) for d in docs) for t in vocabulary]
    idf = [np.log((1 + n) / (1 + f)) + 1 for f in df]
    rows = []
    for d in docs:
        c = Counter(d)
        row = np.array([c[t] * w for t, w in zip(vocabulary, idf)], dtype=float)
        norm = np.sqrt((row ** 2).sum())
        rows.append(row / norm if norm > 0 else row)
    return np.array(rows).reshape(n, len(vocabulary))
'''),
    Alternative("micro_macro_f1", "scikit-learn's f1_score", '''
def micro_macro_f1(y_true, y_pred):
    from sklearn.metrics import f1_score
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape[1] == 1:
        f = f1_score(t[:, 0], p[:, 0], zero_division=0)
        return float(f), float(f)
    return (float(f1_score(t, p, average="micro", zero_division=0)),
            float(f1_score(t, p, average="macro", zero_division=0)))
'''),
    Alternative("build_report_classifier", "NegEx-style marking, counts, uni+bigrams",
                _NEG_MARK + _classifier(
        vec="CountVectorizer", vargs="preprocessor=_mark, ngram_range=(1, 2), binary=True")),
]

"""The figures of chapter 05_clinical_nlp: agreement of the reference rules with spaCy, negspacy
and the generator's truth; equality with scikit-learn; de-identification recall and precision on
the grader's hidden notes; the report classifier's held-out AUC with and without negation-aware
features; and how long grading each exercise takes.

Run: ``.venv/bin/python bench/bench_clinical_nlp.py [--reports 300]``. Prints figures; it is not a
timed test.
"""

from __future__ import annotations

import argparse
import os
import re
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MEDAI_OFFLINE", "1")

CHAPTER = "05_clinical_nlp"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    n = parser.parse_args().reports

    import numpy as np
    import spacy
    from negspacy.negation import Negex  # noqa: F401  (registers the component)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span
    from spacy.util import filter_spans

    from medai.autograder import grade_function
    from medai.autograder.exercises.clinical_nlp import deid, learning
    from medai.autograder.reference import reference_function
    from medai.autograder.registry import chapter_exercises
    from medai.datasets.reports import (
        CONCEPTS,
        LEXICON,
        NEGEX_RULES,
        SECTION_HEADERS,
        make_reports,
        negspacy_rules,
        tokenize_offsets,
    )

    def ref(name):
        return reference_function(CHAPTER, name)

    reports = make_reports(n, seed=5)
    nlp = spacy.blank("en")

    def doc_of(text):
        tokens = tokenize_offsets(text)
        return Doc(nlp.vocab, words=[t for t, _, _ in tokens], spaces=[True] * len(tokens)), tokens

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for phrase, concept in LEXICON.items():
        matcher.add(concept, [doc_of(phrase)[0]])
    same = 0
    for r in reports:
        doc, tokens = doc_of(r["text"])
        spans = filter_spans([Span(doc, s, e, label=m) for m, s, e in matcher(doc)])
        theirs = sorted((tokens[s.start][1], tokens[s.end - 1][2], s.label_) for s in spans)
        same += theirs == ref("find_mentions")(r["text"], LEXICON)
    print(f"find_mentions == spaCy PhraseMatcher(attr='LOWER') + filter_spans: {same}/{n} reports")

    negex_nlp = spacy.blank("en")
    negex_nlp.add_pipe("sentencizer")
    negex_nlp.add_pipe("negex", config={"ent_types": list(CONCEPTS)})
    termset = negspacy_rules()
    pairs = agree = truth_agree = truth_pairs = 0
    for r in reports:
        truth = {s: status for s, _, _, status in r["mentions"]}
        for piece in re.finditer(r"[^\n.!?]+[.!?]?", r["text"]):
            tokens = tokenize_offsets(piece.group())
            words = [t.lower() for t, _, _ in tokens]
            for s, e, concept in ref("find_mentions")(piece.group(), LEXICON):
                i, j = [t[1] for t in tokens].index(s), [t[2] for t in tokens].index(e) + 1
                doc = Doc(negex_nlp.vocab, words=words)
                doc.ents = [Span(doc, i, j, label=concept)]
                for _, component in negex_nlp.pipeline:
                    doc = component(doc)
                pairs += 1
                ours = ref("negex_status")(words, (i, j), termset) == "negated"
                agree += bool(doc.ents[0]._.negex) == ours
                if piece.start() + s in truth:
                    truth_pairs += 1
                    truth_agree += ref("negex_status")(words, (i, j), NEGEX_RULES) == truth[piece.start() + s]
    print(f"negex_status (negspacy's termset) vs negspacy Negex: {agree}/{pairs} mentions agree")
    print(f"negex_status (course rules) vs the generator's truth: {truth_agree}/{truth_pairs} mentions")

    labels_same = labels_total = 0
    for r in reports:
        got = ref("label_report")(r["text"], LEXICON, NEGEX_RULES, SECTION_HEADERS)
        for c in CONCEPTS:
            a, b = got[c], r["labels"][c]
            labels_same += (a == b) or (np.isnan(a) and np.isnan(b))
            labels_total += 1
    print(f"label_report vs truth: {labels_same}/{labels_total} labels ({labels_same / labels_total:.3f})")

    docs = [[t.lower() for t, _, _ in tokenize_offsets(r["text"])] for r in reports[:100]]
    vocabulary = sorted({t for d in docs for t in d})
    library = TfidfVectorizer(vocabulary=vocabulary, analyzer=lambda d: d).fit_transform(docs).toarray()
    gap = np.abs(ref("tfidf")(docs, vocabulary) - library).max()
    print(f"tfidf vs TfidfVectorizer: max abs difference {gap:.2e}")
    rng = np.random.default_rng(0)
    t = (rng.random((1000, 14)) < rng.uniform(0.01, 0.4, 14)).astype(int)
    p = t ^ (rng.random(t.shape) < 0.15)
    ours = ref("micro_macro_f1")(t, p)
    theirs = (f1_score(t, p, average="micro", zero_division=0),
              f1_score(t, p, average="macro", zero_division=0))
    print(f"micro_macro_f1 vs f1_score: max abs difference {np.abs(np.subtract(ours, theirs)).max():.2e}")

    for label, (texts, golds) in [("public", deid._notes(range(500, 512))),
                                  ("hidden", deid._notes(range(600, 640)))]:
        s = deid.score_deidentification(ref("deidentify"), texts, golds)
        print(f"deidentify on the {label} notes ({len(texts)}): token recall {s['recall']:.3f}, "
              f"precision {s['precision']:.3f}, leaked {s['leaked']}")

    def bag_of_words(ngrams):
        def build(texts, y):
            pipe = make_pipeline(TfidfVectorizer(ngram_range=ngrams), LogisticRegression(max_iter=1000))
            pipe.fit(texts, y)

            class Scores:
                def predict_proba(self, more):
                    return pipe.predict_proba(more)[:, 1]

            return Scores()
        return build

    for n_train, n_test, seed in [(400, 300, 0), (400, 300, 1), (250, 400, 2)]:
        row = []
        for name, fn in [("negation-aware (reference)", ref("build_report_classifier")),
                         ("unigram bag of words", bag_of_words((1, 1))),
                         ("uni+bigram bag of words", bag_of_words((1, 2)))]:
            started = time.perf_counter()
            auc = learning.score_report_classifier(fn, n_train, n_test, seed)["auc"]
            row.append(f"{name} {auc:.3f} ({time.perf_counter() - started:.1f} s)")
        print(f"classifier AUC, {n_train} train / {n_test} test, seed {seed}: " + "; ".join(row))

    for name in chapter_exercises(CHAPTER):
        started = time.perf_counter()
        result = grade_function(CHAPTER, name, ref(name), hidden=True)
        seconds = time.perf_counter() - started
        print(f"grade {name:25s} {result.points}/{result.max_points} in {seconds:.2f} s")


if __name__ == "__main__":
    main()

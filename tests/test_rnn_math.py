"""Chapter 03_rnn_math's data and grading behaviour that the catalogue does not cover: the ECG
generator's promises, the real DICOM ECG's scaling, and the classifier grading's messages."""

from __future__ import annotations

import numpy as np
import pytest

from medai.datasets.ecg import RHYTHMS, load_waveform_ecg, make_rhythm_dataset, simulate_ecg


def test_same_seed_same_strip_and_different_seeds_differ():
    a = simulate_ecg("AF", 5.0, 250.0, seed=3)
    b = simulate_ecg("AF", 5.0, 250.0, seed=3)
    c = simulate_ecg("AF", 5.0, 250.0, seed=4)
    np.testing.assert_array_equal(a.signal_mv, b.signal_mv)
    assert not np.allclose(a.signal_mv, c.signal_mv)


@pytest.mark.parametrize("rhythm", RHYTHMS)
def test_each_rhythm_has_its_rate_and_r_peaks_on_the_signal(rhythm):
    low, high = {"NSR": (60, 100), "SB": (30, 60), "ST": (100, 170), "AF": (55, 170),
                 "PVC": (50, 110)}[rhythm]
    for seed in range(5):
        rec = simulate_ecg(rhythm, 10.0, 250.0, seed=seed)
        assert rec.signal_mv.shape == (2500,)
        assert low < rec.heart_rate_bpm < high, (rhythm, seed, rec.heart_rate_bpm)
        assert np.all(np.diff(rec.r_peaks) > 0)
        # the R peak sits on a tall deflection
        for peak in rec.r_peaks[1:-1]:
            assert rec.signal_mv[peak] > np.median(rec.signal_mv) + 0.4


def test_af_is_irregular_and_sinus_is_not():
    def rr_cv(rhythm):
        cvs = []
        for seed in range(10):
            rr = np.diff(simulate_ecg(rhythm, 20.0, 250.0, seed=seed).r_peaks)
            cvs.append(rr.std() / rr.mean())
        return np.median(cvs)

    assert rr_cv("AF") > 0.12 > 0.05 > rr_cv("NSR")


def test_pvc_strips_have_premature_beats():
    counts = [simulate_ecg("PVC", 10.0, 250.0, seed=s).pvc_beats.size for s in range(10)]
    assert min(counts) >= 0 and sum(counts) >= 10
    assert all(simulate_ecg("NSR", 10.0, 250.0, seed=s).pvc_beats.size == 0 for s in range(5))


def test_rhythm_dataset_is_balanced_keras_shaped_and_seeded():
    X, y, names = make_rhythm_dataset(6, duration_s=4.0, fs=50.0, seed=1)
    assert X.shape == (30, 200, 1) and X.dtype == np.float32
    assert names == RHYTHMS
    assert np.bincount(y).tolist() == [6] * 5
    X2, y2, _ = make_rhythm_dataset(6, duration_s=4.0, fs=50.0, seed=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_real_ecg_is_in_millivolts_and_matches_the_device_rr_interval():
    signals, fs, leads = load_waveform_ecg()
    assert signals.shape == (10000, 12) and fs == 1000.0
    assert leads[1] == "Lead II"
    assert 0.5 < signals[:, 1].max() < 3.0  # an R peak of about 1 mV, not 1000 (µV) or 800 (raw)
    # R peaks of lead II: the device measured RR = 982 ms
    from scipy.signal import find_peaks

    peaks, _ = find_peaks(signals[:, 1], height=0.6, distance=300)
    assert abs(np.mean(np.diff(peaks)) / fs * 1000 - 982) < 15


def test_classifier_grading_explains_shape_and_probability_errors():
    keras = pytest.importorskip("keras")
    from medai.autograder.exercises.rnn_math import train_and_score

    def wrong_output(n_timesteps, n_channels, n_classes):
        return keras.Sequential([keras.Input((n_timesteps, n_channels)), keras.layers.Flatten(),
                                 keras.layers.Dense(1)])

    with pytest.raises(ValueError, match="needs n_classes units"):
        train_and_score(wrong_output, 50, 1, 3)

    def not_a_model(n_timesteps, n_channels, n_classes):
        return "model"

    with pytest.raises(TypeError, match="should return a keras.Model"):
        train_and_score(not_a_model, 50, 1, 3)


def test_classifier_comparison_uses_the_pass_mark():
    from medai.autograder.exercises.rnn_math import CLASSIFIER, PASS_MARK

    expected = {"accuracy": 0.8, "recall": np.array([0.9, 0.9, 0.9, 0.5, 0.8])}
    assert CLASSIFIER.compare({"accuracy": PASS_MARK, "recall": expected["recall"]}, expected)
    verdict = CLASSIFIER.compare({"accuracy": 0.2, "recall": np.array([1.0, 0, 0, 0, 0])},
                                 expected)
    assert not verdict
    assert "below the pass mark" in verdict.message and "close to guessing" in verdict.message

"""ECG data for the course: the real 12-lead ECG that ships with pydicom, and a seeded synthetic
single-lead ECG generator with five rhythm classes.

The generator is written for this course (it does not use neurokit2): every beat is a sum of
Gaussian waves (P, Q, R, S, T) placed around its R peak, in the spirit of McSharry et al.'s ECGSYN
(IEEE Trans Biomed Eng 2003), but with the beat times drawn directly from a rhythm model instead
of from a dynamical system. Its data card (``medai data info synthetic_ecg``) says what it does not
capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RHYTHMS: tuple[str, ...] = ("NSR", "SB", "ST", "AF", "PVC")
RHYTHM_NAMES: dict[str, str] = {
    "NSR": "normal sinus rhythm",
    "SB": "sinus bradycardia",
    "ST": "sinus tachycardia",
    "AF": "atrial fibrillation-like (irregular, no P waves)",
    "PVC": "sinus rhythm with premature ventricular beats",
}
# Heart-rate ranges (beats per minute) drawn for each rhythm; gaps around 60 and 100 bpm keep the
# classes separable by definition (sinus bradycardia < 60 bpm, sinus tachycardia > 100 bpm).
_RATE_RANGES = {"NSR": (62.0, 95.0), "SB": (38.0, 55.0), "ST": (108.0, 160.0),
                "AF": (70.0, 140.0), "PVC": (62.0, 95.0)}
_INTERNAL_FS = 500  # the waves are drawn at 500 Hz, then resampled to the requested rate

# A sinus beat, lead II-like: (time of the wave centre relative to the R peak in s, amplitude in mV,
# width (Gaussian standard deviation) in s). T-wave timing scales with sqrt(RR) (Bazett).
_SINUS_WAVES = {
    "P": (-0.17, 0.15, 0.025),
    "Q": (-0.028, -0.12, 0.010),
    "R": (0.0, 1.10, 0.011),
    "S": (0.030, -0.25, 0.011),
    "T": (0.27, 0.30, 0.045),
}
# A premature ventricular beat: no P wave, a wide QRS and a T wave of opposite polarity.
_PVC_WAVES = {
    "R": (0.0, 1.5, 0.030),
    "S": (0.065, -0.45, 0.030),
    "T": (0.33, -0.45, 0.060),
}


@dataclass
class ECGRecord:
    """One synthetic single-lead ECG strip.

    Attributes
    ----------
    signal_mv : ndarray of shape (n_samples,), millivolts
    fs : sampling frequency in Hz
    r_peaks : ndarray of int, sample indices of the R peaks inside the strip
    rhythm : one of RHYTHMS
    heart_rate_bpm : the heart rate the rhythm was drawn with (mean over the strip, bpm)
    pvc_beats : indices into ``r_peaks`` of the premature ventricular beats (PVC rhythm only)
    """

    signal_mv: np.ndarray
    fs: float
    r_peaks: np.ndarray
    rhythm: str
    heart_rate_bpm: float
    pvc_beats: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def _beat_times(rhythm: str, duration_s: float, rate: float, rng: np.random.Generator):
    """R-peak times (s) from before the strip to after it, and a flag per beat: ventricular?"""
    mean_rr = 60.0 / rate
    # Start before the strip so that the first beat in view falls at a random phase.
    t = -rng.uniform(0.0, mean_rr) - mean_rr
    times, ventricular = [t], [False]
    resp_period, resp_phase = rng.uniform(3.0, 5.0), rng.uniform(0, 2 * np.pi)
    pvc_probability = rng.uniform(0.15, 0.35)
    while t < duration_s + 1.5:
        if rhythm == "AF":
            # Irregularly irregular: independent RR intervals, coefficient of variation ~ 20 %.
            times.append(t + mean_rr * rng.lognormal(0.0, rng.uniform(0.15, 0.25)))
            ventricular.append(False)
        elif rhythm == "PVC" and not ventricular[-1] and rng.random() < pvc_probability:
            # A premature beat (coupling interval 55-75 % of RR), then a full compensatory pause:
            # the next sinus beat comes on time, 2 RR after the last sinus beat.
            times += [t + mean_rr * rng.uniform(0.55, 0.75), t + 2 * mean_rr]
            ventricular += [True, False]
        else:
            # Sinus rhythm: respiratory sinus arrhythmia plus a little jitter.
            rr = mean_rr * (1 + 0.04 * np.sin(2 * np.pi * t / resp_period + resp_phase)
                            + rng.normal(0.0, 0.01))
            times.append(t + rr)
            ventricular.append(False)
        t = times[-1]
    return np.array(times), np.array(ventricular, dtype=bool)


def _gaussian_waves(t: np.ndarray, centre: float, waves: dict, rr: float, scale: float,
                    skip: tuple = ()) -> np.ndarray:
    out = np.zeros_like(t)
    qt_factor = np.sqrt(min(max(rr, 0.3), 2.0))  # Bazett: QT grows with sqrt(RR)
    for name, (offset, amplitude, width) in waves.items():
        if name in skip:
            continue
        if name == "T":
            offset = offset * qt_factor
        out += scale * amplitude * np.exp(-0.5 * ((t - centre - offset) / width) ** 2)
    return out


def simulate_ecg(rhythm: str = "NSR", duration_s: float = 10.0, fs: float = 250.0,
                 seed: int | None = None, heart_rate_bpm: float | None = None,
                 noise_mv: float = 0.02, wander_mv: float = 0.15) -> ECGRecord:
    """A synthetic single-lead (lead II-like) ECG strip of one rhythm.

    Parameters
    ----------
    rhythm : one of ``RHYTHMS``: "NSR" normal sinus rhythm (62-95 bpm), "SB" sinus bradycardia
        (38-55 bpm), "ST" sinus tachycardia (108-160 bpm), "AF" atrial fibrillation-like (irregular
        RR intervals, no P waves, fibrillatory baseline), "PVC" sinus rhythm with premature wide
        ventricular beats and compensatory pauses.
    duration_s : length of the strip in seconds.
    fs : sampling frequency in Hz of the returned signal.
    seed : seed of the random generator; the same seed gives the same strip.
    heart_rate_bpm : the mean rate; drawn from the rhythm's range when None.
    noise_mv : standard deviation of the white measurement noise (mV).
    wander_mv : amplitude of the baseline wander (mV): slow sinusoids of 0.05-0.5 Hz.

    Returns
    -------
    ECGRecord
    """
    if rhythm not in RHYTHMS:
        raise ValueError(f"unknown rhythm {rhythm!r}; expected one of {', '.join(RHYTHMS)}")
    if duration_s <= 0 or fs <= 0:
        raise ValueError(f"duration_s and fs must be positive; got {duration_s} and {fs}")
    rng = np.random.default_rng(seed)
    low, high = _RATE_RANGES[rhythm]
    rate = float(heart_rate_bpm) if heart_rate_bpm is not None else float(rng.uniform(low, high))
    times, ventricular = _beat_times(rhythm, duration_s, rate, rng)

    n_internal = int(round(duration_s * _INTERNAL_FS))
    t = np.arange(n_internal) / _INTERNAL_FS
    signal = np.zeros(n_internal)
    gain = rng.uniform(0.7, 1.3)  # body habitus, electrode placement
    mean_rr = 60.0 / rate
    for k, (beat, is_pvc) in enumerate(zip(times, ventricular)):
        window = (t > beat - 0.6) & (t < beat + 0.8)
        if not window.any():
            continue
        rr = times[k + 1] - beat if k + 1 < len(times) else mean_rr
        if is_pvc:
            signal[window] += _gaussian_waves(t[window], beat, _PVC_WAVES, mean_rr, gain)
        else:
            skip = ("P",) if rhythm == "AF" else ()
            beat_gain = gain * (1 + rng.normal(0.0, 0.03))
            signal[window] += _gaussian_waves(t[window], beat, _SINUS_WAVES, rr, beat_gain, skip)
    if rhythm == "AF":
        # Fibrillatory waves: 4-9 Hz, small, with a wandering frequency and amplitude.
        f0 = rng.uniform(4.0, 9.0)
        phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.1 * np.sin(2 * np.pi * 0.3 * t))) / _INTERNAL_FS
        signal += rng.uniform(0.03, 0.08) * (1 + 0.5 * np.sin(2 * np.pi * 0.2 * t + rng.uniform(0, 6))) \
            * np.sin(phase + rng.uniform(0, 2 * np.pi))
    for _ in range(3):  # baseline wander: breathing and electrode movement
        signal += wander_mv / 3 * rng.uniform(0.5, 1.5) * np.sin(
            2 * np.pi * rng.uniform(0.05, 0.5) * t + rng.uniform(0, 2 * np.pi))
    signal += rng.normal(0.0, noise_mv, size=n_internal)

    if fs != _INTERNAL_FS:
        from fractions import Fraction

        from scipy.signal import resample_poly

        ratio = Fraction(float(fs) / _INTERNAL_FS).limit_denominator(1000)
        signal = resample_poly(signal, ratio.numerator, ratio.denominator)
    in_view = (times >= 0) & (times < duration_s)
    r_peaks = np.minimum(np.round(times[in_view] * fs).astype(int), len(signal) - 1)
    pvc_beats = np.flatnonzero(ventricular[in_view])
    shown = times[in_view]
    measured = 60.0 / np.mean(np.diff(shown)) if len(shown) > 1 else rate
    return ECGRecord(signal.astype(np.float64), float(fs), r_peaks, rhythm, float(measured),
                     pvc_beats)


def make_rhythm_dataset(n_per_class: int, duration_s: float = 6.0, fs: float = 50.0,
                        seed: int = 0, rhythms: tuple[str, ...] = RHYTHMS,
                        noise_mv: float = 0.02, wander_mv: float = 0.15):
    """A balanced, shuffled set of synthetic strips for rhythm classification.

    Returns
    -------
    X : ndarray of shape (n_per_class * len(rhythms), n_timesteps, 1), float32, millivolts
        ``n_timesteps = round(duration_s * fs)``; Keras layout (batch, time, channels).
    y : ndarray of int, shape (n,): the index of each strip's rhythm in ``rhythms``.
    rhythms : the class names, in label order.
    """
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**31 - 1, size=(len(rhythms), n_per_class))
    strips, labels = [], []
    for label, rhythm in enumerate(rhythms):
        for s in seeds[label]:
            rec = simulate_ecg(rhythm, duration_s, fs, seed=int(s), noise_mv=noise_mv,
                               wander_mv=wander_mv)
            strips.append(rec.signal_mv)
            labels.append(label)
    X = np.stack(strips)[:, :, None].astype(np.float32)
    y = np.array(labels)
    order = rng.permutation(len(y))
    return X[order], y[order], tuple(rhythms)


def load_waveform_ecg():
    """The real 12-lead resting ECG that ships with pydicom (``waveform_ecg.dcm``), in millivolts.

    Returns
    -------
    signals_mv : ndarray of shape (n_samples, 12), float64: the first waveform group, one column
        per lead, scaled by each channel's sensitivity (and correction factor) to millivolts.
    fs : sampling frequency in Hz (1000).
    leads : list of 12 lead names (e.g. "Lead I (Einthoven)").
    """
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.waveforms import multiplex_array

    ds = pydicom.dcmread(get_testdata_file("waveform_ecg.dcm"))
    group = ds.WaveformSequence[0]
    raw = multiplex_array(ds, 0, as_raw=True).astype(np.float64)
    to_mv = {"uV": 1e-3, "mV": 1.0, "V": 1e3}
    scale, baseline, leads = [], [], []
    for channel in group.ChannelDefinitionSequence:
        unit = channel.ChannelSensitivityUnitsSequence[0].CodeValue
        correction = float(getattr(channel, "ChannelSensitivityCorrectionFactor", 1.0) or 1.0)
        scale.append(float(channel.ChannelSensitivity) * correction * to_mv[unit])
        baseline.append(float(getattr(channel, "ChannelBaseline", 0.0) or 0.0) * to_mv[unit])
        leads.append(str(channel.ChannelSourceSequence[0].CodeMeaning))
    signals = raw * np.array(scale) + np.array(baseline)
    return signals, float(group.SamplingFrequency), leads

"""Chapter 03_rnn_math: the recurrence, backpropagation through time, gradient clipping, the LSTM
step, the heart rate from R peaks, and an ECG rhythm classifier trained by the grader.

The registry reads ``EXERCISES`` (notebook order).
"""

from __future__ import annotations

from .recurrence import BACKWARD, CLIP, FORWARD, LSTM_STEP, STEP
from .rhythm import CLASSIFIER, HEART_RATE, PASS_MARK, train_and_score, warm_worker

EXERCISES = [STEP, FORWARD, BACKWARD, CLIP, LSTM_STEP, HEART_RATE, CLASSIFIER]

__all__ = ["CLASSIFIER", "EXERCISES", "PASS_MARK", "train_and_score", "warm_worker"]

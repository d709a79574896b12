"""Chapter 02_cnn_math: the pieces of y = σ(W∗x + b), from output sizes to backpropagation.

The registry reads ``EXERCISES`` (notebook order); the forward pass and what training needs live
in their own modules.
"""

from __future__ import annotations

from .layers import CONV2D_FORWARD, CONV_OUTPUT_SIZE, MAX_POOL_FORWARD, RELU, ZERO_PAD
from .training import CONV2D_BACKWARD, CROSS_ENTROPY, NUMERICAL_GRADIENT, SOFTMAX

EXERCISES = [
    CONV_OUTPUT_SIZE,
    ZERO_PAD,
    CONV2D_FORWARD,
    RELU,
    MAX_POOL_FORWARD,
    SOFTMAX,
    CROSS_ENTROPY,
    NUMERICAL_GRADIENT,
    CONV2D_BACKWARD,
]

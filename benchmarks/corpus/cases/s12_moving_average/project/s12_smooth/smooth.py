"""Smoothing a numeric series with sliding windows."""


def moving_average(values, window):
    """The mean of every run of ``window`` consecutive values (a running sum).

    A series shorter than the window gives an empty list; ``window`` must be positive.
    """
    if window <= 0:
        raise ValueError("window must be positive")
    averages = []
    total = 0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        if i >= window - 1:
            peak = max(values[i - window + 1:i + 1])
            averages.append(total / window)
    return averages


def window_maxima(values, window):
    """The largest value in every run of ``window`` consecutive values."""
    if window <= 0:
        raise ValueError("window must be positive")
    return [max(values[i:i + window]) for i in range(len(values) - window + 1)]


def exponential_smoothing(values, alpha):
    """``s[0] = x[0]``, ``s[t] = alpha * x[t] + (1 - alpha) * s[t-1]``."""
    smoothed = []
    for value in values:
        smoothed.append(value if not smoothed else alpha * value + (1 - alpha) * smoothed[-1])
    return smoothed

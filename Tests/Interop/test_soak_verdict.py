"""The soak's verdict (Benchmarks/Soak/soak.py) on made-up samples: a series that grows fails, one that only
churns passes, and the warm-up is left out. The soak itself runs in scripts/test after these tests."""

import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "Benchmarks" / "Soak"))

import soak  # noqa: E402


def samples(duration, value_at, interval=1.0, seed=7):
    """One row a second: every series flat at 100 with +-3 of churn, except what value_at(series, t) changes."""
    rng = random.Random(seed)
    rows = []
    t = 0.0
    while t <= duration:
        row = {"t": t, "phase": "churn"}
        for series in soak.SERIES:
            row[series] = value_at(series, t) + rng.uniform(-3, 3)
        rows.append(row)
        t += interval
    return rows


def verdicts(rows, warmup, end):
    window, first, last, results = soak.trend(rows, warmup, end)
    return window, first, last, {result["series"]: result["ok"] for result in results}


def test_churn_without_growth_passes():
    window, first, last, ok = verdicts(samples(120, lambda series, t: 100.0), 70, 120)
    assert window == 12.5 and first >= 12 and last >= 12
    assert all(ok.values()), ok


def test_a_series_that_grows_fails_and_only_that_one():
    grows = lambda series, t: 100.0 + (t / 5 if series == "rss_kib" else 0.0)  # +6.5 % between the windows
    _, _, _, ok = verdicts(samples(120, grows), 70, 120)
    assert not ok["rss_kib"]
    assert all(value for series, value in ok.items() if series != "rss_kib"), ok


def test_a_count_must_grow_past_its_noise_floor():
    # +6 % of 100 fds is less than the 12-fd floor of whole clients churning; +15 % is more.
    _, _, _, ok = verdicts(samples(120, lambda s, t: 100.0 + (6.0 if s == "fds" and t > 100 else 0.0)), 70, 120)
    assert ok["fds"]
    _, _, _, ok = verdicts(samples(120, lambda s, t: 100.0 + (15.0 if s == "fds" and t > 100 else 0.0)), 70, 120)
    assert not ok["fds"]


def test_the_warm_up_is_left_out_and_windows_are_at_most_five_minutes():
    # RSS climbs for the first minute, then stays: not a trend once the warm-up is left out, one (+7 %) if not.
    warming = lambda series, t: 100.0 + (3 * min(t, 60.0) if series == "rss_kib" else 0.0)
    window, _, _, ok = verdicts(samples(1800, warming, interval=5.0), 120, 1800)
    assert window == 300.0
    assert ok["rss_kib"]
    _, _, _, ok = verdicts(samples(1800, warming, interval=5.0), 0, 1800)
    assert not ok["rss_kib"]


def test_too_few_samples_in_a_window_is_a_failure_not_a_pass():
    _, first, _, ok = verdicts(samples(120, lambda series, t: 100.0, interval=10.0), 70, 120)
    assert first < 3
    assert not any(ok.values())

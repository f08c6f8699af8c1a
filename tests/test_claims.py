import numpy as np
import pytest

from gan_course import claims


@pytest.fixture
def full_mode(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_FAST", raising=False)
    monkeypatch.delenv("GAN_COURSE_STRICT_CLAIMS", raising=False)
    return monkeypatch


def test_a_claim_that_holds_prints_its_evidence(capsys, full_mode):
    assert claims.claim("the digits are balanced", True, "min 0.9") is None
    assert capsys.readouterr().out == "claim: the digits are balanced: holds (min 0.9)\n"


def test_a_false_claim_fails_loudly_in_strict_mode(full_mode):
    full_mode.setenv("GAN_COURSE_STRICT_CLAIMS", "1")
    with pytest.raises(claims.ClaimFailed, match="DOES NOT HOLD.*change the sentence"):
        claims.claim("accuracy falls towards 0.5", False, "0.78 -> 0.79")


def test_a_false_claim_in_a_students_run_prints_one_line_and_goes_on(full_mode, capsys):
    for strict in (None, "0"):
        if strict is not None:
            full_mode.setenv("GAN_COURSE_STRICT_CLAIMS", strict)
        claims.claim("accuracy falls towards 0.5", False, "0.78 -> 0.79")
        out = capsys.readouterr().out
        assert out.count("\n") == 1, out
        assert out.startswith("claim: accuracy falls towards 0.5: does not hold in this run")
        assert "(0.78 -> 0.79)" in out and "stored run" in out and "goes on" in out
        assert "hardware" in out and "versions" in out


def test_a_false_claim_only_reports_in_fast_mode(full_mode, capsys):
    full_mode.setenv("GAN_COURSE_FAST", "1")
    full_mode.setenv("GAN_COURSE_STRICT_CLAIMS", "1")  # fast runs are tiny: never strict
    assert claims.claim("accuracy falls towards 0.5", False, "0.78") is None
    assert "does not hold in fast mode (0.78)" in capsys.readouterr().out


def test_strict_mode_refuses_a_typo(full_mode):
    full_mode.setenv("GAN_COURSE_STRICT_CLAIMS", "sure")
    with pytest.raises(ValueError, match="GAN_COURSE_STRICT_CLAIMS"):
        claims.claim("x", False)


def test_a_claim_cell_prints_no_extra_true(full_mode):
    # The last line of a claim cell is the claim: a value would show up as Out[n]: True.
    assert claims.claim("the digits are balanced", True) is None
    assert claims.claim("the digits are balanced", np.bool_(True)) is None


def test_claim_needs_its_sentence():
    with pytest.raises(ValueError, match="sentence"):
        claims.claim("", True)


def test_balanced():
    assert claims.balanced([100] * 10)[0]
    holds, evidence = claims.balanced([35, 26, 80, 86, 46, 102, 21, 67, 42, 52])
    assert not holds and evidence == "min 0.38, max 1.83 of uniform"
    assert claims.balanced([60, 140], tolerance=0.5)[0]
    assert not claims.balanced([49, 151], tolerance=0.5)[0]
    assert claims.balanced([0, 0]) == (False, "nothing was counted")
    with pytest.raises(ValueError):
        claims.balanced([3, -1])


def test_monotonic_and_thresholds():
    assert claims.monotonic([0.021, 0.039, 0.159])[0]
    holds, evidence = claims.monotonic([0.021, 0.159, 0.146])
    assert not holds and "+0.159 -> +0.146" in evidence
    assert claims.monotonic(np.array([3, 2, 1]), increasing=False)[0]
    assert claims.at_least(0.81, 0.8)[0] and not claims.at_least(0.79, 0.8)[0]
    assert claims.at_most(0.5, 0.6)[0] and not claims.at_most(0.7, 0.6)[0]
    with pytest.raises(ValueError):
        claims.monotonic([1.0])


def test_trend_sees_a_slow_drift_and_not_noise():
    rng = np.random.default_rng(0)
    # "drifts slowly down": 125 epochs falling by 0.4 under noise as large as the whole fall
    drifting = 1.5 - np.linspace(0, 0.4, 125) + rng.normal(0, 0.2, 125)
    assert claims.trend(drifting) == pytest.approx(-0.4, abs=0.1)
    # counterfeits the sentence rules out: flat noisy curves, one that rises, and a step (a
    # short drop, then flat), which a least-squares line would call a drift down
    for seed in range(20):
        flat = 1.5 + np.random.default_rng(seed).normal(0, 0.2, 125)
        assert abs(claims.trend(flat)) < 0.15, seed
    assert claims.trend(np.linspace(1.0, 1.3, 50)) == pytest.approx(0.3)
    step = np.r_[np.full(5, 2.0), np.full(120, 1.0)] + rng.normal(0, 0.05, 125)
    assert np.polyfit(np.arange(125), step, 1)[0] * 124 < -0.2  # least squares is fooled
    assert abs(claims.trend(step)) < 0.05
    with pytest.raises(ValueError, match="2 or more finite"):
        claims.trend([1.0])
    with pytest.raises(ValueError, match="2 or more finite"):
        claims.trend([1.0, np.nan])


def test_lowest_stretch_sees_a_long_dip_that_the_mean_hides():
    rng = np.random.default_rng(0)
    # "stays well above 0.5" (at least 0.65 in every 100-step stretch): a noisy 0.78 holds
    steady = np.clip(0.78 + rng.normal(0, 0.15, 2000), 0, 1)
    assert claims.lowest_stretch(steady, 100) >= 0.7
    # counterfeit: the same curve with 150 steps at chance; its mean still looks fine
    dipped = steady.copy()
    dipped[900:1050] = np.clip(0.5 + rng.normal(0, 0.15, 150), 0, 1)
    assert dipped.mean() >= 0.75
    assert claims.lowest_stretch(dipped, 100) < 0.55
    # one step at 0 is noise, not a stretch below the line
    spike = steady.copy()
    spike[1000] = 0.0
    assert claims.lowest_stretch(spike, 100) >= 0.69
    assert claims.lowest_stretch([0.2, 0.4], 100) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="finite numbers"):
        claims.lowest_stretch([0.5, np.nan])
    with pytest.raises(ValueError, match="whole number"):
        claims.lowest_stretch([0.5, 0.6], 0)

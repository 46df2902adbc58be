"""Resume: an interrupted run continued with --resume equals an uninterrupted one exactly."""

import pytest
import xarray as xr
from test_rolling_horizon import _three_days, rolling


@pytest.mark.parametrize("mode", [pytest.param("clustered", marks=pytest.mark.slow), "rounded"])
def test_resume_after_interruption_is_identical(tmp_path, mode):
    """Stop a 2-window run after its first window (clustered: the second window starts from
    the first one's look-ahead commitment; rounded: from its LP basis), resume it: every
    result variable and every summary number equals an uninterrupted run's exactly
    (timings aside); the checkpoint holds no pickle."""
    from gridmodel.case import load_case
    from gridmodel.outdir import CHECKPOINT
    from gridmodel.run import run_case

    toml = rolling(24, 24).replace('"binary"', f'"{mode}"') + "[time]\nhours = 48\n"
    _three_days(tmp_path / "setup", toml)
    case = load_case(tmp_path / "setup" / "case.toml")

    def stop_after_one(done, total):
        if done == 24:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_case(case, tmp_path / "run", progress=stop_after_one)
    saved = tmp_path / "run" / CHECKPOINT
    assert sorted(p.name for p in saved.glob("window_*.json")) == ["window_00000.json"]
    assert not list(saved.rglob("*.pkl")) and not (tmp_path / "run" / "summary.json").exists()
    resumed = run_case(case, tmp_path / "run", resume=True)
    assert not saved.exists()
    whole = run_case(case, tmp_path / "whole")
    timing = [v for v in whole.dataset.data_vars if v.endswith("_time_s")]
    xr.testing.assert_equal(resumed.dataset.drop_vars(timing), whole.dataset.drop_vars(timing))
    numbers = {k for k, v in whole.summary.items() if not k.endswith("_time_s")}
    assert {k: resumed.summary[k] for k in numbers} == {k: whole.summary[k] for k in numbers}

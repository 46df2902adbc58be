"""Compare and Excel export round trips on two tiny runs (values read back with openpyxl;
charts checked inside the xlsx archive, which openpyxl does not load)."""

import zipfile

import openpyxl
import pytest
from tiny import Tiny
from typer.testing import CliRunner

from gridmodel.cli import app

runner = CliRunner()


def _run(folder, wind_mw):
    """Must-run coal 80 MW minimum, load 100 MW, export link 30 MW, two hours.
    Wind 100 MW: used 50 (20 local + 30 exported... by the proportional rule), curtailed."""
    t = Tiny()
    t.gen("coal", p_min_mw=80, p_max_mw=200, c1=10)
    t.renewable("W", "wind", wind_mw, series=[1.0, 1.0])
    t.load("L", 100, series=[1.0, 1.0])
    t.table("export_link", name="tie", bus=0, p_export_max_mw=30.0,
            export_value_cny_per_mwh=5.0)
    case = t.write(folder / "in")
    out = folder / "run"
    assert runner.invoke(app, ["run", str(case), "--out", str(out)]).exit_code == 0
    return out


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_renewable_split_follows_the_attribution_rule(tmp_path):
    """Per hour: coal 80, wind used 50 of 100 (load 100 + export 30 = 130 supply); export
    share 30/130 of supply → wind exported 50·30/130 = 11.54, local 38.46, curtailed 50."""
    import json

    out = _run(tmp_path, 100)
    s = json.loads((out / "summary.json").read_text())
    assert s["renewable_exported_mwh"] == pytest.approx(2 * 50 * 30 / 130)
    assert s["renewable_local_mwh"] == pytest.approx(2 * (50 - 50 * 30 / 130))
    assert s["renewable_curtailed_mwh"] == pytest.approx(100)
    assert s["renewable_curtailed_pct"] == pytest.approx(50)
    (split,) = s["renewable_split_by_month_mwh"].values()
    assert split == pytest.approx({"renewable_local_mwh": s["renewable_local_mwh"],
                                   "renewable_exported_mwh": s["renewable_exported_mwh"],
                                   "renewable_curtailed_mwh": 100})


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_compare_and_workbook_round_trip(tmp_path):
    a, b = _run(tmp_path / "a", 100), _run(tmp_path / "b", 50)
    book = tmp_path / "cmp.xlsx"
    result = runner.invoke(app, ["compare", str(a), str(b), "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(book)
    assert {"Summary", "Monthly", "Units", "Hourly", "Compare"} <= set(wb.sheetnames)
    cmp = {row[0].value: [c.value for c in row[1:]] for row in wb["Compare"].iter_rows(min_row=2)}
    # run b has 50 MW wind: 0 curtailed against 100 MWh in run a
    assert cmp["renewable_curtailed_mwh"] == pytest.approx([100, 0, -100])
    assert wb["Hourly"].freeze_panes == "B2"
    summary = {r[0].value: (r[1].value, r[2].value) for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["wind_curtailed_mwh"] == (pytest.approx(100), "MWh")
    with zipfile.ZipFile(book) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = " ".join(z.read(n).decode() for n in charts)
    assert len(charts) == 5 and "curtailment by cause" in xml and "Monthly wind curtailment" in xml and "Winter-week" in xml
    assert "Price duration curve" in xml and "Prices" in wb.sheetnames
    assert "Curtailed wind and solar per month" in xml
    head, first = [[c.value for c in r] for r in wb["CompareMonthly"].iter_rows(max_row=2)]
    month = dict(zip(head, first))
    assert month[f"{a}: renewable_curtailed_mwh"] == pytest.approx(100)
    assert month[f"{b}: renewable_curtailed_mwh"] == pytest.approx(0)
    assert month[f"{b}: renewable_local_mwh"] == pytest.approx(2 * (50 - 50 * 30 / 130))
    again = runner.invoke(app, ["export", str(a), "--xlsx", str(book)])
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_compare_monthly_falls_back_to_results_of_older_runs(tmp_path):
    """A summary.json without the monthly split (older runs): taken from results.nc."""
    import json

    from gridmodel.compare import compare_monthly

    a = _run(tmp_path / "a", 100)
    fresh = compare_monthly([a])
    summary = json.loads((a / "summary.json").read_text())
    del summary["renewable_split_by_month_mwh"]
    (a / "summary.json").write_text(json.dumps(summary))
    assert compare_monthly([a]).equals(fresh)
    assert fresh.iloc[0]["run: renewable_curtailed_mwh"] == pytest.approx(100)


def test_compare_unknown_folder_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["compare", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "summary.json" in result.output


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_plot_writes_titled_png_figures(tmp_path):
    out = _run(tmp_path, 100)
    result = runner.invoke(app, ["plot", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (out / "figures").glob("*.png")}
    assert names == {"dispatch_week.png", "monthly_curtailment.png",  # no heat: no heat figure
                     "duration_curves.png", "prices.png", "curtailment_causes.png"}
    for p in (out / "figures").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000

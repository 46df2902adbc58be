"""A hostile user's session: bad inputs through every command, counted by outcome.

Usage: .venv/bin/python benchmarks/hostile.py
Outcomes: `refused` (exit 2, one line, no traceback: the wanted answer), `accepted` (exit 0:
nonsense taken), `internal` (exit 1) and `traceback` (an exception escaped). Prints one row
per category and the failures in full. The inputs are those of tests/test_hostile_input.py
plus more of each kind.
"""

import collections
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_hostile_input import BAD_SETS, _net_variant, _pglib, _setup
from typer.testing import CliRunner

from gridmodel.cli import app

EXTRA_SETS = ["horizon.window_h=-24", "horizon.blocks=0", "horizon.warmup_h=1e9",
              "solver.time_limit_s=0", "solver.threads=0", "solver.mip_start=magic",
              "model.commitment=fuzzy", "model.quadratic_cost_segments=0",
              "reserve.spinning_pct_of_load=150", "time.days=-1", "time.start=yesterday",
              "time.start=2016-02-30T00:00:00", "network=/dev/null", "profiles=nothing.nc",
              "thermal.coal.min_up_h=-2", "thermal.coal.cost_c1_cny_per_mwh=-10",
              "thermal.coal.ramp_up_mw_per_h=-inf", "thermal.coal.committable=maybe",
              "thermal.coal.kind=7", "battery.bat.e_max_mwh=nan",
              "battery.bat.loss_per_h=2", "export_link.tie.loss_pu=1.5",
              "export_link.tie.p_export_max_mw=-30", "heat_boiler.hb.zone=atlantis",
              "heat_boiler.hb.cost_cny_per_mwh_th=inf", "load.L.p_mw=-80", "load.L.bus=3",
              "renewable.W.profile=missing_series",
              "=5", "novalue", "a..b=1", "technologies=5", "overrides=7"]


def main() -> None:
    runner = CliRunner()
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    case = _setup(tmp / "base")
    tries: list[tuple[str, list[str]]] = []
    for item, *_ in BAD_SETS:
        tries.append(("values (--set)", ["validate", str(case), "--set", item]))
    for item in EXTRA_SETS:
        tries.append(("values (--set)", ["validate", str(case), "--set", item]))
    tries += _files(case, tmp) + _outputs(case, tmp, runner) + _tools(case, tmp)
    counts, failures = collections.Counter(), []
    for kind, args in tries:
        result = runner.invoke(app, args)
        outcome = ("refused" if result.exit_code == 2 and result.exception is None
                   or isinstance(result.exception, SystemExit) and result.exit_code == 2
                   else "accepted" if result.exit_code == 0 else "internal"
                   if result.exit_code == 1 else "traceback")
        counts[(kind, outcome)] += 1
        if outcome != "refused":
            failures.append((kind, outcome, args, result.output.strip()[-300:]))
    print("| kind | tried | refused (exit 2) | accepted | internal | traceback |")
    print("|---|---|---|---|---|---|")
    for kind in dict.fromkeys(k for k, _ in tries):
        row = [counts[(kind, o)] for o in ("refused", "accepted", "internal", "traceback")]
        print(f"| {kind} | {sum(row)} | " + " | ".join(map(str, row)) + " |")
    for failure in failures:
        print(*failure, sep="\n  ")


def _files(case: Path, tmp: Path) -> list:
    out = []
    (tmp / "latin1.toml").write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    (tmp / "binary.toml").write_bytes(os.urandom(64))
    (tmp / "syntax.toml").write_text("[horizon\nwindow_h = 24\n")
    os.symlink(tmp / "loop_b.toml", tmp / "loop_a.toml")
    os.symlink(tmp / "loop_a.toml", tmp / "loop_b.toml")
    (tmp / "self.toml").write_text('extends = "self.toml"\n')
    (tmp / "deep0.toml").write_text(f'extends = "{case}"\n')
    for i in range(1, 1000):
        (tmp / f"deep{i}.toml").write_text(f'extends = "deep{i - 1}.toml"\n')
    (tmp / "badext.toml").write_text("extends = 5\n")
    (tmp / "nonet.toml").write_text('network = "missing.json"\n')
    for name in ("latin1", "binary", "syntax", "loop_a", "self", "deep999", "badext", "nonet",
                 "does_not_exist"):
        out.append(("files", ["validate", str(tmp / f"{name}.toml")]))
    out.append(("files", ["validate", str(tmp)]))

    def plant(inner):
        inner["evil"] = {"_module": "subprocess", "_class": "Popen", "_object": "[]"}

    def nan_vn(inner):
        bus = json.loads(inner["bus"]["_object"])
        bus["data"][0][bus["columns"].index("vn_kv")] = None
        inner["bus"]["_object"] = json.dumps(bus)

    def island(inner):
        line = json.loads(inner["line"]["_object"])
        line["data"][0][line["columns"].index("in_service")] = False
        inner["line"]["_object"] = json.dumps(line)

    for i, change in enumerate((plant, nan_vn, island)):
        folder = tmp / f"net{i}"
        folder.mkdir()
        out.append(("files", ["validate", str(_net_variant(case, folder, change))]))
    (tmp / "garbage.json").write_text("{]")
    (tmp / "g.toml").write_text(f'network = "{tmp / "garbage.json"}"\n')
    out.append(("files", ["validate", str(tmp / "g.toml")]))
    return out


def _outputs(case: Path, tmp: Path, runner) -> list:
    user = tmp / "user"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    (tmp / "afile").write_text("x")
    os.symlink(user, tmp / "link")
    done = tmp / "done"
    runner.invoke(app, ["run", str(case), "--out", str(done)])
    busy = tmp / "busy"
    busy.mkdir()
    (busy / ".lock").write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename}))
    return [("output folders", a) for a in (
        ["run", str(case), "--out", str(user), "--force"],
        ["run", str(case), "--out", str(tmp / "afile")],
        ["run", str(case), "--out", str(tmp / "link")],
        ["run", str(case), "--out", str(done)],
        ["run", str(case), "--out", str(busy)],
        ["run", str(case), "--out", str(tmp / "afile" / "sub")],
        ["run", str(case), "--out", str(tmp / ("x" * 300))],
        ["run", str(case), "--out", "/proc/gridmodel"],
        ["export", str(done), "--xlsx", str(done / "results.nc"), "--force"],
        ["export", str(done), "--xlsx", str(done / "summary.json"), "--force"],
        ["export", str(done), "--xlsx", str(case), "--force"],
        ["compare", str(done), "--xlsx", str(done / "case.resolved.toml"), "--force"],
    )]


def _tools(case: Path, tmp: Path) -> list:
    run = tmp / "done"
    broken = tmp / "broken"
    broken.mkdir()
    (broken / "results.nc").write_bytes(b"not netcdf")
    (broken / "summary.json").write_text("[1, 2")
    pg = tmp / "pg"
    pg.mkdir()
    (pg / "junk.json").write_text('{"time_periods": 2, "demand": "x"}')

    def instance(name, demand):
        (pg / name).mkdir()
        return _pglib(pg / name, demand)

    return [("post-processing", a) for a in (
        ["plot", str(broken)], ["plot", str(run), "--week", "not-a-date"],
        ["plot", str(run), "--week", "1999-01-01"], ["export", str(broken), "--xlsx",
                                                    str(tmp / "b.xlsx")],
        ["compare", str(broken), str(run)], ["compare", str(tmp / "nothing")],
        ["calibrate", str(broken)], ["ac-check", str(broken)],
        ["ac-check", str(run), "--slack-bus", "mars"],
    )] + [("pglib", a) for a in (
        ["pglib", str(instance("nan", [50.0, float("nan")])), "--out", str(pg / "a")],
        ["pglib", str(instance("neg", [50.0, -5.0])), "--out", str(pg / "b")],
        ["pglib", str(pg / "junk.json"), "--out", str(pg / "c")],
        ["pglib", str(instance("g1", [50.0])), "--mip-gap", "-1", "--out", str(pg / "d")],
        ["pglib", str(instance("g2", [50.0])), "--time-limit", "0", "--out", str(pg / "e")],
        ["pglib", str(instance("g3", [50.0])), "--threads", "0", "--out", str(pg / "f")],
    )] + [("sweep", ["sweep", str(case), "--out", str(tmp / "sw"), *a]) for a in (
        ["--set", "thermal.coal.p_max_mw=a,b"], ["--set", "thermal.coal.p_max_mw=100,,200"],
        ["--set", "thermal.coal.p_max_mw=100,200", "--workers", "0"],
        ["--set", "thermal.coal.p_max_mw=100,200", "--merit", "nope"],
        ["--set", "thermal.coal.p_max_mw"], ["--set", "horizon.window_h=1,inf"],
        ["--set", "thermal.coal.p_max_mw=100,100"],
    )]


if __name__ == "__main__":
    main()

"""The parsed network cached beside its JSON: a cached read equals a fresh one bit for bit,
a changed or damaged file is never served, and a cached validate imports no pandapower."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from tiny import Tiny

from gridmodel.network import parsed as P
from gridmodel.network.io import save_net

ROOT = Path(__file__).resolve().parents[1]


def _net(tmp_path: Path) -> Path:
    """Two buses, a rated line, a unit with start-up categories (list cells), wind, a load,
    an unrated transformer-free tie (inf ratings are kept), a heat table with text cells."""
    t = Tiny(2)
    t.line(0, 1, rating_mw=120)
    t.gen("coal", p_max_mw=200, c1=10)
    t.net.gen["startup_categories"] = [[[0, 100.0], [8, 300.0]]]
    t.load("L", 100, bus=1)
    t.renewable("wind", "wind", 50, bus=1)
    t.table("heat_zone", name="city", demand_mw_th=30.0)
    path = tmp_path / "net.json"
    save_net(t.net, path)
    return path


def _same(a: P.ParsedNet, b: P.ParsedNet) -> None:
    assert a.tables.keys() == b.tables.keys()
    for k in a.tables:
        pd.testing.assert_frame_equal(a.tables[k], b.tables[k], check_exact=True)
    assert a.networks.keys() == b.networks.keys()
    for r in a.networks:
        pd.testing.assert_frame_equal(a.networks[r].ptdf, b.networks[r].ptdf, check_exact=True)
        pd.testing.assert_series_equal(a.networks[r].rating_mw, b.networks[r].rating_mw,
                                       check_exact=True)
        assert a.networks[r].buses == b.networks[r].buses
    assert (a.buses, a.joined, a.line_names) == (b.buses, b.joined, b.line_names)


@pytest.mark.parametrize("which", ["tiny", pytest.param("jilin", marks=pytest.mark.slow)])
def test_a_cached_read_equals_a_fresh_parse(tmp_path, which):
    path = _net(tmp_path) if which == "tiny" else tmp_path / "jilin_2016.json"
    if which == "jilin":
        path.write_bytes((ROOT / "networks" / "jilin_2016.json").read_bytes())
    fresh = P.parse(path)
    assert not fresh.from_cache and P.cache_path(path).is_file()
    assert not fresh.networks  # a rating's PTDF is computed when first asked for …
    for rating in ("thermal", "stability_n1"):
        fresh.network(rating, path)  # … and added to the cache
    cached = P.parse(path)
    assert cached.from_cache
    _same(fresh, cached)


def test_a_changed_or_damaged_network_is_parsed_afresh(tmp_path):
    path = _net(tmp_path)
    P.parse(path)
    text = path.read_text()
    path.write_text(text.replace("city", "town"))  # another zone name: other content
    again = P.parse(path)
    assert not again.from_cache and "town" in again.tables["heat_zone"].index
    cache = P.cache_path(path)
    cache.write_text("{not json")
    assert not P.parse(path).from_cache  # damaged: ignored, then rewritten
    assert json.loads(cache.read_text())["stamp"]["format"] == P.FORMAT
    data = json.loads(cache.read_text())
    data["stamp"]["pandapower"] = "0.0"  # another pandapower: not trusted
    cache.write_text(json.dumps(data))
    assert not P.parse(path).from_cache


def test_an_unwritable_folder_goes_without_a_cache(tmp_path):
    path = _net(tmp_path)
    cache = P.cache_path(path)
    cache.mkdir()  # a folder where the cache would go: writing fails, parsing does not
    assert not P.parse(path).from_cache
    assert cache.is_dir()


@pytest.mark.slow  # a subprocess with the Jilin case (≈ 4 s): make test-all
def test_validate_on_a_cached_network_imports_no_pandapower(tmp_path):
    """A validate of the Jilin case with its parse cached: no pandapower, no Pyomo."""
    jilin = ROOT / "networks" / "jilin_2016.json"
    P.parse(jilin).network("stability_n1", jilin)  # the case's line rating, cached
    code = ("import sys; from gridmodel.cli import main; sys.argv = ['gridmodel', 'validate', "
            f"{str(ROOT / 'cases' / 'jilin-2016.toml')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('modules', 'pandapower' in sys.modules, 'pyomo.environ' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert "ok jilin-2016" in out and out.strip().endswith("modules False False")

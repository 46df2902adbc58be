"""The readable input tables of the Jilin builder (networks/jilin/*.csv, parameters.toml):
their columns, types, units and ranges, checked before anything is built, so an edited
table ends as one line naming the file, row and column (never an internal error, never a
value read as something else).

A column is (kind, unit, low, high): kind `key` (a unique non-empty name), `bus` (a name in
buses.csv), `text`, `choice` (low holds the accepted words), `bool` (true/false), `int`
(whole number) or `number` (inf where high is inf).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd

from ..errors import NetworkError

INF = math.inf
NUM = "number"
SOURCE = ("text", "provenance", None, None)
TABLES = {
    "buses": {"name": ("key", "bus name", None, None), "vn_kv": (NUM, "kV", 1.0, 1200.0),
              "kind": ("choice", "", ("prefecture", "external"), None),
              "load_share_pct": (NUM, "% of provincial load", 0.0, 100.0),
              "heat_share_pct": (NUM, "% of provincial heat", 0.0, 100.0), "source": SOURCE},
    "lines": {"from_bus": ("bus", "bus name", None, None), "to_bus": ("bus", "bus name", None, None),
              "length_km": (NUM, "km", 0.1, 5000.0), "circuits": ("int", "count", 1, 20),
              "stability_rated": ("bool", "true/false", None, None), "source": SOURCE},
    "thermal": {"plant": ("key", "plant name", None, None), "bus": ("bus", "bus name", None, None),
                "unit_mw": (NUM, "MW per unit", 1.0, 2000.0), "n_units": ("int", "count", 1, 100),
                "chp": ("bool", "true/false", None, None),
                "heat_rate_gce_per_kwh": (NUM, "g standard coal per kWh", 150.0, 700.0),
                "source": SOURCE},
    "renewables": {"name": ("key", "name", None, None), "bus": ("bus", "bus name", None, None),
                   "kind": ("choice", "", ("wind", "solar"), None),
                   "p_max_mw": (NUM, "MW", 0.0, 1e6), "profile": ("text", "series", None, None),
                   "source": SOURCE},
    "hydro": {"name": ("key", "name", None, None), "bus": ("bus", "bus name", None, None),
              "p_max_mw": (NUM, "MW", 0.0, 1e5), "min_release_mw": (NUM, "MW", 0.0, 1e5),
              "inflow_mw": (NUM, "MW", 0.0, 1e5), "e_max_mwh": (NUM, "MWh", 0.0, 1e9),
              "inflow_profile": ("text", "series", None, None), "source": SOURCE},
    "storage": {"name": ("key", "name", None, None), "bus": ("bus", "bus name", None, None),
                "kind": ("choice", "", ("pumped_hydro", "battery"), None),
                "p_in_max_mw": (NUM, "MW", 0.0, 1e5), "p_out_max_mw": (NUM, "MW", 0.0, 1e5),
                "e_max_mwh": (NUM, "MWh", 0.0, 1e7), "source": SOURCE},
    "heat": {"name": ("key", "heat zone (a bus)", None, None),
             "bus": ("bus", "bus name", None, None),
             "boiler_h_max_mw_th": (NUM, "MW_th", 0.0, 1e6), "source": SOURCE},
    "ties": {"name": ("key", "name", None, None), "bus": ("bus", "bus name", None, None),
             "p_export_max_mw": (NUM, "MW", 0.0, 1e5), "p_import_max_mw": (NUM, "MW", 0.0, 1e5),
             "export_value_cny_per_mwh": (NUM, "CNY/MWh", 0.0, 1e5),
             "import_price_cny_per_mwh": (NUM, "CNY/MWh", 0.0, 1e5),
             "schedule": ("text", "schedule name", None, None), "source": SOURCE},
    "flexible_loads": {"name": ("key", "name", None, None), "bus": ("bus", "bus name", None, None),
                       "kind": ("choice", "", ("shiftable", "interruptible"), None),
                       "p_up_max_mw": (NUM, "MW", 0.0, 1e5), "p_down_max_mw": (NUM, "MW", 0.0, 1e5),
                       "period_h": (NUM, "h", 1.0, 8784.0),
                       "max_hours_per_period_h": (NUM, "h", 0.0, INF),
                       "cost_cny_per_mwh": (NUM, "CNY/MWh", 0.0, 1e6), "source": SOURCE},
    "peak_regulation": {"name": ("key", "tier name", None, None),
                        "load_from_pu": (NUM, "pu of rating", 0.0, 1.0),
                        "load_to_pu": (NUM, "pu of rating", 0.0, 1.0),
                        "price_cny_per_mwh": (NUM, "CNY/MWh", 0.0, 1e5), "source": SOURCE},
    "embedded_generation": {"name": ("key", "name", None, None),
                            "bus": ("bus", "bus name", None, None),
                            "p_mw": (NUM, "MW", 0.0, 1e5),
                            "profile": ("text", "series", None, None), "source": SOURCE},
}
OPTIONAL = ("embedded_generation", "flexible_loads", "contracts", "peak_regulation")
SHARES = ("load_share_pct", "heat_share_pct")  # over the prefecture buses: 100 %
PARAMETERS = {  # parameters.toml: section → keys it may hold
    "coal": {"coal_price_cny_per_tce", "co2_t_per_tce", "no_load_share", "min_load_pu",
             "ramp_pu_per_h", "startup_cost_cny_per_mw_hot", "startup_cost_cny_per_mw_cold",
             "cold_after_h", "min_up_down_h"},
    "chp": {"c_b_pu", "c_v_pu", "h_max_per_p_max"},
    "heat": {"season_start", "season_end", "season_energy_mwh_th", "process_steam_mw_th",
             "base_temperature_c", "capacity_mw_th_per_twh_th", "boiler_efficiency_pu",
             "boiler_om_cny_per_mwh_th"},
}


def read_tables(folder: Path, not_network=("costs",)) -> dict:
    """Every table of the folder, read as text and checked against TABLES (other CSV files,
    such as contracts.csv and the NBS statistics, are read as they are)."""
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        if path.stem in not_network:
            continue
        if path.stem in TABLES:
            tables[path.stem] = check_table(path, _read_csv(path, dtype=str))
        else:  # contracts.csv, the NBS statistics: read by their own consumers
            tables[path.stem] = _read_csv(path)
    missing = [name for name in TABLES if name not in tables and name not in OPTIONAL]
    if missing:
        raise NetworkError(folder / f"{missing[0]}.csv", "(file)", "missing",
                           "the Jilin input table")
    _check_buses(folder, tables)
    tables["parameters"] = read_parameters(folder / "parameters.toml")
    return tables


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    try:
        return pd.read_csv(path, keep_default_na="dtype" not in kw, **kw)
    except pd.errors.EmptyDataError:
        raise NetworkError(path, "(file)", "empty", "CSV with a header row") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a UTF-8 CSV file") from None


def check_table(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns present, every value of its kind and range; typed columns converted."""
    spec = TABLES[path.stem]
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise NetworkError(path, missing[0], "column missing", spec[missing[0]][1] or "text")
    out = frame.copy()
    key_column = next((c for c, v in spec.items() if v[0] == "key"), None)
    labels = [_label(frame, key_column, i) for i in range(len(frame))]
    for column, (kind, unit, low, high) in spec.items():
        out[column] = [_value(path, labels[i], column, text, kind, unit, low, high)
                       for i, text in enumerate(frame[column])]
        if kind == "key":
            twice = out[column].duplicated()
            if twice.any():
                i = int(twice.to_numpy().argmax())
                raise NetworkError(path, f"row {i + 2}.{column}", f"{out[column][i]!r} "
                                   "appears twice", "unique names")
    return out


def _label(frame: pd.DataFrame, key_column: str | None, i: int) -> str:
    """A row as errors name it: its name where it has one, else its line in the file."""
    name = str(frame[key_column].iloc[i]).strip() if key_column else ""
    return name or f"row {i + 2}"


def _value(path, label: str, column: str, text: str, kind: str, unit: str, low, high):
    key, text = f"{label}.{column}", str(text).strip()
    if kind in ("key", "bus"):
        if not text:
            raise NetworkError(path, key, "empty", unit)
        return text
    if kind == "text":
        return text
    if kind == "choice":
        if text not in low:
            raise NetworkError(path, key, f"{text!r}", " | ".join(low))
        return text
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise NetworkError(path, key, f"{text!r}", "true or false")
        return text.lower() == "true"
    try:
        value = float(text)
    except ValueError:
        raise NetworkError(path, key, f"not a number: {text!r}", unit) from None
    if math.isnan(value) or not low <= value <= high:
        raise NetworkError(path, key, f"{text!r}", f"{kind} in [{low:g}, {high:g}] {unit}")
    if kind == "int":
        if not value.is_integer():
            raise NetworkError(path, key, f"{text!r} is not a whole number", unit)
        return int(value)
    return value


def _check_buses(folder: Path, tables: dict) -> None:
    """Bus references exist; the prefecture buses' load and heat shares add up to 100 %."""
    buses = set(tables["buses"]["name"])
    for name, spec in TABLES.items():
        for column, (kind, *_rest) in spec.items():
            if kind != "bus" or name not in tables:
                continue
            key_column = next((c for c, v in spec.items() if v[0] == "key"), None)
            for i, bus in enumerate(tables[name][column]):
                if bus not in buses:
                    label = _label(tables[name], key_column, i)
                    raise NetworkError(folder / f"{name}.csv", f"{label}.{column}",
                                       f"unknown bus {bus!r}", "a name in buses.csv")
    prefectures = tables["buses"][tables["buses"]["kind"] == "prefecture"]
    for column in SHARES:
        total = float(prefectures[column].sum())
        if abs(total - 100.0) > 0.5:
            raise NetworkError(folder / "buses.csv", column, f"prefecture shares add up to "
                               f"{total:g} %", "100 % over the prefecture buses")


def read_parameters(path: Path) -> dict:
    """parameters.toml, with no section or key the builder does not read (a typo or an
    input that would do nothing)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise NetworkError(path, "(syntax)", str(exc), "valid TOML") from None
    for section, keys in data.items():
        if section not in PARAMETERS or not isinstance(keys, dict):
            raise NetworkError(path, section, "unknown section",
                               " | ".join(f"[{s}]" for s in PARAMETERS))
        unknown = sorted(set(keys) - PARAMETERS[section])
        if unknown:
            raise NetworkError(path, f"{section}.{unknown[0]}", "unknown key (it would do "
                               "nothing)", ", ".join(sorted(PARAMETERS[section])))
    for section, keys in PARAMETERS.items():
        have = data.setdefault(section, {})
        for key in sorted(keys - set(have) - OPTIONAL_PARAMETERS):
            raise NetworkError(path, f"{section}.{key}", "missing", "see the other keys' "
                               "comments for its unit")
        for key, value in have.items():
            if key in TEXT_PARAMETERS:
                continue
            if key == "min_up_down_h":
                _check_up_down(path, value)
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    not math.isfinite(value) or value < 0:
                raise NetworkError(path, f"{section}.{key}", f"{value!r}",
                                   "a finite number ≥ 0 (unit in its comment)")
    return data


OPTIONAL_PARAMETERS = {"process_steam_mw_th"}
TEXT_PARAMETERS = {"season_start", "season_end"}  # MM-DD, checked by the profile builder


def _check_up_down(path: Path, value) -> None:
    sizes = ("large", "medium", "small", "tiny")
    ok = isinstance(value, dict) and set(value) == set(sizes) and all(
        isinstance(v, list) and len(v) == 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 168
            for x in v) for v in value.values())
    if not ok:
        raise NetworkError(path, "coal.min_up_down_h", f"{value!r}"[:80],
                           "large/medium/small/tiny = [min up h, min down h]")

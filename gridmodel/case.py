"""Case files: TOML, validated by pydantic, with `extends =` inheritance and `--set` overrides."""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import CaseError

PATH_KEYS = ("network", "profiles", "costs")


class _Strict(BaseModel):
    """Unknown keys, NaN/inf, booleans in number fields and fractional counts are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value, info):
        kind = cls.model_fields[info.field_name].annotation
        if kind in (int, float, int | None, float | None) and isinstance(value, (bool, str)):
            raise ValueError(f"expected a number, got {value!r}")
        if kind in (int, int | None) and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        return value


class TimeOptions(_Strict):
    start: datetime | None = Field(None, description="first period, local time (CST) without "
                                   "zone offset, e.g. 2016-01-01T00:00:00")
    hours: int | None = Field(None, gt=0, le=10 * 8784, description="number of hours (h)")
    days: int | None = Field(None, gt=0, le=3660, description="number of days (d)")

    @field_validator("start", mode="before")
    @classmethod
    def _local_time(cls, value):
        if value is None:
            return value
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                raise ValueError("has a zone offset; give local time (CST) without one")
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        if isinstance(value, str):  # ISO text, as case.resolved.toml writes it
            try:
                return cls._local_time(datetime.fromisoformat(value))
            except ValueError as exc:
                if "zone offset" in str(exc):
                    raise
        raise ValueError(f"not a date-time, got {type(value).__name__} {value!r}")

    @model_validator(mode="after")
    def _one_length(self):
        if self.hours is not None and self.days is not None:
            raise ValueError("give either hours or days, not both")
        return self

    @property
    def length_h(self) -> float | None:
        if self.days is not None:
            return 24.0 * self.days
        return None if self.hours is None else float(self.hours)


class SolverOptions(_Strict):
    mip_gap: float = Field(1e-3, ge=0, le=1, description="relative MIP gap (fraction, 0..1)")
    time_limit_s: float = Field(300.0, gt=0, le=1e6, description="time limit per solve (s)")
    threads: int = Field(1, ge=1, le=64, description="solver threads (count)")
    mip_start: Literal["none", "lp_fix", "lookahead"] = Field(
        "lookahead", description="lookahead (previous window's look-ahead commitment, rounded "
        "up) | lp_fix (LP relaxation, fix integral values, solve the rest) | none")
    shift_basis: bool = Field(False, description="start each window's LP from the previous "
                              "basis moved to the window's hours (measured no faster: "
                              "docs/performance.md)")


class ModelOptions(_Strict):
    commitment: Literal["binary", "clustered", "rounded", "relaxed", "off"] = Field(
        "off", description="binary | clustered (MIP) | rounded (rounded relaxation) | "
        "relaxed (LP) | off")
    rounding_threshold_pu: float = Field(
        0.5, gt=0, le=1, description="rounded: a fractional commitment is rounded up when its "
        "fraction is at least this (pu)")
    rounding_passes: int = Field(2, ge=1, le=2, description="rounded: 2 = a second pass "
                                 "rounding every fraction up when the first misses mip_gap")
    network: Literal["dc", "copperplate"] = Field("dc", description="dc | copperplate")
    line_rating: Literal["thermal", "stability_n1"] = Field(
        "thermal", description="thermal (max_i_ka × max_loading_percent) | stability_n1 "
        "(St. Clair loadability of the circuits left after losing one, capped by thermal)")
    quadratic_cost_segments: int = Field(
        20, ge=1, le=200, description="piecewise-linear segments per quadratic cost (count)")
    value_of_lost_load_cny_per_mwh: float = Field(30000.0, gt=0, le=1e7, description="CNY/MWh")
    excess_energy_penalty_cny_per_mwh: float = Field(30000.0, gt=0, le=1e7, description="CNY/MWh")
    reserve_shortfall_penalty_cny_per_mwh: float = Field(10000.0, gt=0, le=1e7, description="CNY/MWh")
    unserved_heat_penalty_cny_per_mwh_th: float = Field(20000.0, gt=0, le=1e7, description="CNY/MWh_th")
    store_end_shortfall_penalty_cny_per_mwh: float = Field(
        10000.0, gt=0, le=1e7, description="CNY per MWh (MWh_th) a cyclic store ends the run "
        "below its initial content, or a window below its start (cyclic_each_window)")
    curtailment_cost_cny_per_mwh: float = Field(
        0.0, ge=0, le=1e5, description="CNY/MWh of curtailed wind/solar: a dispatch priority "
        "for renewables (reported with the penalties, not as operating cost)")


class HorizonOptions(_Strict):
    window_h: float = Field(0.0, ge=0, le=8784, description="committed hours per window (h; "
                            "0 = one model over the whole time range)")
    lookahead_h: float = Field(24.0, ge=0, le=8784, description="look-ahead hours per window (h)")
    relax_lookahead: StrictBool = Field(True, description="continuous commitment in the look-ahead "
                                  "(true/false)")
    blocks: int = Field(1, ge=1, le=1000, description="chronological blocks solved in "
                        "parallel on dask (count; 1 = one sequential run)")
    warmup_h: float = Field(48.0, ge=0, le=8784, description="hours each block starts early; "
                            "its results are dropped (h)")


class ReserveOptions(_Strict):
    spinning_mw: float = Field(0.0, ge=0, le=1e6, description="constant spinning reserve (MW)")
    spinning_pct_of_load: float = Field(0.0, ge=0, le=100, description="share of load (%)")
    spinning_profile: str | None = Field(None, description="profile series of reserve (MW)")
    min_online_thermal_mw: float = Field(
        0.0, ge=0, le=1e6, description="thermal capacity (Σ p_max of units on) kept online "
        "every hour for system security (最小开机方式, MW); a shortfall is penalised")
    spinning_pct_of_wind: float = Field(
        0.0, ge=0, le=100, description="extra spinning reserve for wind forecast error: "
        "share of the hour's available wind (%)")


class EconomicsOptions(_Strict):
    discount_rate_pu: float = Field(
        0.08, ge=0, le=1, description="real discount rate for annualising investment (pu; "
        "0.08 = China's social discount rate, NDRC/MOHURD 2006)")


class PlanOptions(_Strict):
    options: dict[str, str] = Field(
        default_factory=dict, description="name = 'table.asset.column[+column[*f]]=MIN..MAX' "
        "(continuous) or '=V1,V2' (one of these values); docs/plan.md")
    block_h: float = Field(24.0, gt=0, le=8784, description="hours per planning block: the "
                           "year is cut into blocks solved as independent LPs (stores cyclic "
                           "in each block)")
    gap_pct: float = Field(0.05, gt=0, le=10, description="Benders stop: (upper − lower bound) "
                           "/ upper bound of the plan's total cost (%)")
    max_iterations: int = Field(60, ge=1, le=1000, description="Benders iterations at most")
    min_absorption_pct: float | None = Field(
        None, gt=0, lt=100, description="renewable absorption target (% of available energy; "
        "what it counts: plan.absorption)")
    absorption: Literal["total", "local"] = Field(
        "total", description="what the absorption target counts: total = used locally + "
        "exported; local = used in the province, exports drawing on the hour's supply mix in "
        "proportion (the renewable_local KPI), reached by re-planning the total until the "
        "verified local share meets the target (needs the verification run)")
    target_rounds: int = Field(
        3, ge=0, le=10, description="re-plans at most (count), with an absorption target and the "
        "verification run: each raises the plan's target by the verified shortfall")
    max_capex_cny: float | None = Field(None, ge=0, description="budget: annualised capex at "
                                        "most this (CNY per year)")
    max_co2_t: float | None = Field(None, ge=0, description="CO2 cap over the run (t): "
                                    "Σ of the technologies' declared emissions")
    co2_shortfall_penalty_cny_per_t: float = Field(
        10000.0, gt=0, description="CO2 a block emits beyond the share of the cap the master "
        "gave it (keeps every block feasible)")
    shortfall_penalty_cny_per_mwh: float = Field(
        20000.0, gt=0, description="curtailment a block takes beyond the budget the master "
        "gave it (keeps every block feasible; its price shows in the cuts)")


class Case(_Strict):
    """A validated, frozen case. `source` is the file it came from (for error messages)."""

    name: str = Field(..., min_length=1, max_length=100, pattern=r"^\w[\w.+=,-]*$",
                      description="letters, digits and _ . + = , - (names the run folder)")
    description: str = ""
    statistics_year: int | None = Field(
        None, ge=1990, le=2100, description="the year whose statistics `gridmodel calibrate` "
        "holds the run against (default: the run's calendar year; a back-test case runs the "
        "2016 weather year with a later year's system)")
    network: Path = Field(..., description="pandapower JSON file")
    profiles: Path | None = Field(None, description="profiles: a NetCDF file, or a CSV (or "
                                  "an .xlsx first sheet) with a time column and `name [unit]` "
                                  "series columns")
    costs: Path | None = Field(None, description="investment costs CSV of flexibility "
                               "options (docs/methods.md 'Economics')")
    economics: EconomicsOptions = EconomicsOptions()
    plan: PlanOptions = PlanOptions()
    time: TimeOptions = TimeOptions()
    solver: SolverOptions = SolverOptions()
    model: ModelOptions = ModelOptions()
    reserve: ReserveOptions = ReserveOptions()
    horizon: HorizonOptions = HorizonOptions()
    technologies: dict[str, StrictBool] = Field(
        default_factory=dict, description="technology switches (true/false)")
    overrides: dict[str, dict[str, dict[str, float | int | bool | str]]] = Field(
        default_factory=dict, description="table -> asset -> column = value (column's unit)")
    assets: dict[str, dict[str, dict[str, float | int | bool | str]]] = Field(
        default_factory=dict, description="new assets not in the network: table -> name -> "
        "column = value (a plant, a store …; checked like the network's rows)")
    source: Path | None = Field(None, exclude=True)
    origins: dict[str, str] = Field(default_factory=dict, exclude=True)

    def where(self, key: str) -> str:
        """The file (or --set) that gave `key`, for error messages."""
        return origin_of(self.origins, key, self.source)


MAX_EXTENDS_DEPTH = 32
UNION_TAGS = {"float", "int", "bool", "str", "function-after[_local_time(), datetime]"}


def deep_merge(base: dict, top: dict) -> dict:
    """Merge `top` into a copy of `base`; tables merge key by key, values replace."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_toml(path: Path) -> dict:
    try:
        if not path.is_file():
            raise CaseError(path, "(file)", "case file not found", "an existing .toml file")
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(path, "(syntax)", str(exc), "valid TOML") from None
    except UnicodeDecodeError as exc:
        raise CaseError(path, "(encoding)", f"not UTF-8 text ({exc.reason} at byte "
                        f"{exc.start})", "a UTF-8 encoded TOML file") from None
    except (OSError, RuntimeError) as exc:  # symlink loops, permissions, directories
        raise CaseError(path, "(file)", f"cannot read: {exc}", "a readable .toml file") from None


def _origins(raw: dict, path, prefix: str = "") -> dict[str, str]:
    """Dotted key → the file that sets it (for error messages)."""
    out = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        out[dotted] = str(path)
        if isinstance(value, dict):
            out.update(_origins(value, path, dotted + "."))
    return out


def _resolve(path: Path) -> Path:
    try:
        return Path(path).resolve(strict=False)
    except (OSError, RuntimeError) as exc:
        raise CaseError(path, "(file)", f"cannot resolve: {exc}", "a file path") from None


def load_with_origins(path: Path, _seen: tuple[Path, ...] = ()) -> tuple[dict, dict]:
    """One case file with its `extends` chain merged in (paths made absolute), and the file
    each dotted key comes from."""
    path = _resolve(path)
    if path in _seen:
        raise CaseError(path, "extends", "circular inheritance", "a chain without loops")
    if len(_seen) >= MAX_EXTENDS_DEPTH:
        raise CaseError(_seen[-1], "extends", f"chain deeper than {MAX_EXTENDS_DEPTH} files",
                        f"at most {MAX_EXTENDS_DEPTH} levels of extends")
    raw = _read_toml(path)
    for key in PATH_KEYS:
        if isinstance(raw.get(key), str):
            raw[key] = str(_resolve(path.parent / raw[key]))
    parent = raw.pop("extends", None)
    raw.setdefault("name", safe_name(path.stem))
    origins = _origins(raw, path)
    if parent is None:
        return raw, origins
    if not isinstance(parent, str) or not parent:
        raise CaseError(path, "extends", "must be a file name", "a path string")
    base, base_origins = load_with_origins(path.parent / parent, _seen + (path,))
    base.pop("name", None)
    base.pop("description", None)
    return deep_merge(base, raw), {**base_origins, **origins}


def safe_name(stem: str) -> str:
    """A run name from a file name: characters a folder name should not hold become '_'
    (`winter demo.toml` → winter_demo, `demo(1).toml` → demo_1_)."""
    name = re.sub(r"[^\w.+=,-]", "_", stem)[:100]
    return name if re.match(r"\w", name) else f"case_{name}"[:100]


def load_raw(path: Path) -> dict:
    """One case file with its `extends` chain merged in; paths made absolute."""
    return load_with_origins(path)[0]


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def set_key_parts(key: str, origin: str = "--set") -> list[str]:
    """Dotted key → path in the case. `table.asset.column` (e.g.
    `electric_boiler.baicheng.p_max_mw`) is short for `overrides.table.asset.column`."""
    parts = key.strip().split(".")
    if any(not p.strip() for p in parts):
        raise CaseError(origin, key, "empty part in a dotted key", "e.g. horizon.window_h")
    if parts[0] in Case.model_fields and parts[0] != "source":
        return parts
    if len(parts) != 3:
        raise CaseError(origin, key, "neither a case key nor table.asset.column",
                        f"one of {sorted(k for k in Case.model_fields if k != 'source')} "
                        "or e.g. electric_boiler.baicheng.p_max_mw")
    return ["overrides", *parts]


def apply_sets(raw: dict, sets: list[str], origin: str = "--set",
               origins: dict | None = None) -> dict:
    """Apply `a.b.c=value` assignments (TOML values; bare words are strings). `origins`
    (dotted key → file) is updated with `origin` for every key set."""
    out = copy.deepcopy(raw)
    for item in sets:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise CaseError(origin, item, "not of the form key=value", "dotted.key=value")
        parts = set_key_parts(key, origin)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise CaseError(origin, key, "path runs through a value", "a table key")
        node[parts[-1]] = _parse_value(text.strip())
        if origins is not None:
            origins[".".join(parts)] = origin
    return out


def _expected(loc: tuple) -> str:
    node: Any = Case
    desc = ""
    for part in loc:
        fields = getattr(node, "model_fields", None)
        if not fields or part not in fields:
            return desc
        info = fields[part]
        node = info.annotation
        desc = info.description or ""
    return desc


def origin_of(origins: dict | None, key: str, default) -> str:
    """The file that set `key`, else a key below it (a table whose values were set), else
    its closest parent table."""
    origins = origins or {}
    if key in origins:
        return origins[key]
    below = [v for k, v in origins.items() if k.startswith(key + ".")]
    if below:
        return "--set" if "--set" in below else below[-1]
    parts = key.split(".")
    for n in range(len(parts) - 1, 0, -1):
        found = origins.get(".".join(parts[:n]))
        if found:
            return found
    return str(default)


def validate(raw: dict, source: Path | str, origins: dict | None = None) -> Case:
    try:
        return Case.model_validate({**raw, "source": source})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if p not in UNION_TAGS)
        key = ".".join(str(p) for p in loc) or "(top level)"
        problem = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] not in ("value_error", "extra_forbidden") and not isinstance(
                err.get("input"), (dict, type(None))):
            problem += f", got {err['input']!r}"[:120]
        raise CaseError(origin_of(origins, key, source), key, problem,
                        _expected(loc)) from None


def load_case(path: Path | str, sets: list[str] | None = None) -> Case:
    """Load, inherit, override and validate a case file."""
    raw, origins = load_with_origins(Path(path))
    if sets:
        raw = apply_sets(raw, sets, origins=origins)
    case = validate(raw, Path(path), origins)
    for key in PATH_KEYS:
        value = getattr(case, key)
        if value is not None and not Path(value).is_file():
            raise CaseError(origin_of(origins, key, path), key, f"file not found: {value}",
                            "an existing file")
    return case.model_copy(update={"origins": origins})


def resolved_dict(case: Case) -> dict:
    """The fully merged case as plain TOML-able data (no None values)."""

    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if v is not None}
        return obj

    return strip(case.model_dump(mode="json"))


def override_key(case, table: str, column: str) -> tuple[str, str] | None:
    """(origin, key) of the override that set a table's column (case file or --set; the last
    one wins), or None when the value is the network file's."""
    found = None
    for key, origin in case.origins.items():
        if key.startswith(f"overrides.{table}.") and key.endswith(f".{column}"):
            found = (origin, key)
    return found

"""What a run reads of a pandapower network, parsed once and cached beside its JSON.

Parsing a network needs pandapower (≈ 2.5 s to import, ≈ 0.3 s to read the Jilin file, a DC
power flow per line rating for the PTDF). What the model uses of it is plain data: the
technology tables, the bus names, the buses joined to the slack, the PTDF and ratings per
line rating, the line names. After a successful parse these are written to
`.<file>.parsed.json` beside the network file (JSON: tables with their dtypes, floats by
repr, so a cached read is bit-identical to a fresh one); a later read whose network file
has the same SHA-256, the same cache format and the same pandapower version reads that
instead and imports no pandapower. A stale, foreign or damaged cache is ignored and
replaced; a folder that cannot be written just goes without one.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import NetworkError
from ..system import Network

FORMAT = 1


@dataclass
class ParsedNet:
    tables: dict[str, pd.DataFrame]      # raw technology tables (adapter.raw_tables)
    buses: dict[int, str]                # in-service bus index -> name
    joined: frozenset[str]               # buses a line or transformer joins to the slack
    line_names: dict[str, str]           # line name -> branch ("line3")
    networks: dict[str, Network] = field(default_factory=dict)  # line rating -> DC network
    source: object = None                # the pandapower net, when parsed afresh
    digest: str = ""                     # SHA-256 of the file it came from ("" = no file)
    from_cache: bool = False             # read from `.<file>.parsed.json`

    def network(self, line_rating: str, where) -> Network:
        """PTDF and ratings for a line rating: from the cache, else computed from the net
        (one DC power flow) and added to the cache."""
        if line_rating not in self.networks:
            from .dc import build_network  # pandapower: only for a rating not in the cache
            from .io import load_net

            # the parsed net is this object's own copy: the DC power flow may write into it
            # once; a second rating reads the file's net again
            net, self.source = (self.source if self.source is not None else load_net(where)), None
            self.networks[line_rating] = build_network(net, self.buses, where, frozenset(),
                                                       line_rating)
            if self.digest:
                _write_cache(cache_path(Path(where)), self.digest, self)
        return self.networks[line_rating]


def from_net(net, where) -> ParsedNet:
    """What gridmodel reads of a pandapower net (checks included: representable tables,
    finite data, a slack)."""
    from . import adapter  # pandapower: a net parsed afresh
    from .dc import joined_buses

    buses = adapter.bus_names(net)
    tables = adapter.raw_tables(net, where)
    names = {str(n): f"line{i}" for i, n in net.line["name"].items() if n} if len(net.line) \
        else {}
    return ParsedNet(tables, buses, joined_buses(net, buses, where), names, source=net)


def parse(path: Path | str) -> ParsedNet:
    """The parsed network of a file: from its cache when that is current, else parsed with
    pandapower and cached (each line rating's PTDF is added when a case first asks)."""
    path = Path(path)
    digest = _digest(path)
    cache = cache_path(path)
    found = _read_cache(cache, digest)
    if found is not None:
        return found
    from .io import load_net  # pandapower: a cache miss

    parsed = from_net(load_net(path), path)
    parsed.digest = digest
    _write_cache(cache, digest, parsed)  # the PTDF of a rating joins it when first asked for
    return parsed


def cache_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.parsed.json")


def _digest(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NetworkError(path, "(file)", "network file not found",
                           "a pandapower JSON file") from None
    except OSError as exc:
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a UTF-8 JSON file") from None
    return hashlib.sha256(data).hexdigest()


def _stamp(digest: str) -> dict:
    try:
        pandapower = version("pandapower")
    except PackageNotFoundError:  # pragma: no cover
        pandapower = "unknown"
    return {"format": FORMAT, "sha256": digest, "pandapower": pandapower}


def _read_cache(cache: Path, digest: str) -> ParsedNet | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("stamp") != _stamp(digest):
            return None
        return ParsedNet(
            tables={k: _frame(v) for k, v in data["tables"].items()},
            buses={int(k): str(v) for k, v in data["buses"].items()},
            joined=frozenset(data["joined"]), line_names=dict(data["line_names"]),
            networks={k: _network(v) for k, v in data["networks"].items()}, digest=digest,
            from_cache=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, stale, foreign or damaged: parse afresh


def _write_cache(cache: Path, digest: str, parsed: ParsedNet) -> None:
    data = {"stamp": _stamp(digest),
            "tables": {k: _plain_frame(v) for k, v in parsed.tables.items()},
            "buses": {str(k): v for k, v in parsed.buses.items()},
            "joined": sorted(parsed.joined), "line_names": parsed.line_names,
            "networks": {k: _plain_network(v) for k, v in parsed.networks.items()}}
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        if cache.is_symlink():
            return  # never write through a link
        tmp.write_text(json.dumps(data, default=_native), encoding="utf-8")
        os.replace(tmp, cache)
    except (OSError, TypeError, ValueError):
        tmp.unlink(missing_ok=True)  # no cache (read-only folder, odd cell): parse next time


_MISSING = {"NA": pd.NA, "NaT": pd.NaT}


def _native(value):
    if value is pd.NA or value is pd.NaT:
        return {"$missing": "NA" if value is pd.NA else "NaT"}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not cacheable")


def _plain_frame(df: pd.DataFrame) -> dict:
    return {"index": list(df.index), "index_dtype": str(df.index.dtype),
            "index_name": df.index.name,
            "columns": [str(c) for c in df.columns],
            "dtypes": [str(t) for t in df.dtypes],
            "data": df.astype(object).to_numpy().tolist(), "attrs": dict(df.attrs)}


def _frame(data: dict) -> pd.DataFrame:
    index = pd.Index(data["index"], dtype=data["index_dtype"], name=data["index_name"])
    df = pd.DataFrame(data["data"], index=index, columns=data["columns"], dtype=object)
    if not len(df.columns):
        df = pd.DataFrame(index=df.index)
    for column, dtype in zip(data["columns"], data["dtypes"]):
        df[column] = df[column].map(_restore)
        if dtype != "object":
            df[column] = df[column].astype(dtype)
    df.attrs.update(data.get("attrs", {}))
    return df


def _restore(cell):
    if isinstance(cell, dict) and set(cell) == {"$missing"}:
        return _MISSING[cell["$missing"]]
    return cell


def _plain_network(net: Network) -> dict:
    return {"buses": list(net.buses), "branches": [str(b) for b in net.ptdf.index],
            "columns": [str(c) for c in net.ptdf.columns], "ptdf": net.ptdf.to_numpy().tolist(),
            "rating_mw": net.rating_mw.to_numpy().tolist()}


def _network(data: dict) -> Network:
    ptdf = np.array(data["ptdf"], dtype=float).reshape(len(data["branches"]),
                                                       len(data["columns"]))
    return Network(buses=tuple(data["buses"]),
                   ptdf=pd.DataFrame(ptdf, index=data["branches"], columns=data["columns"]),
                   rating_mw=pd.Series(np.array(data["rating_mw"], dtype=float),
                                       index=data["branches"], dtype=float))


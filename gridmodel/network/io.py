"""Read and write pandapower networks (JSON) with clear errors."""

from __future__ import annotations

import copy
import json
import logging
import warnings
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandapower as pp
import pandapower.file_io as pp_file_io
import pandapower.io_utils as pp_io_utils

from ..errors import NetworkError

# pandapower logs a numba hint on every power flow; gridmodel does not need numba.
logging.getLogger("pandapower").setLevel(logging.ERROR)


@cache
def _empty_template(kwargs: tuple):
    return _PP_EMPTY(**dict(kwargs))


def empty_network(**kwargs):
    """pandapower's empty network (its builder takes ≈ 0.35 s in pandapower 3.5; from_json
    calls it more than once per file): a deep copy of one cached template per argument set."""
    return copy.deepcopy(_empty_template(tuple(sorted(kwargs.items()))))


_PP_EMPTY = pp.create_empty_network


@contextmanager
def _cached_empty_networks():
    """Let pandapower's JSON reader use `empty_network` while it runs."""
    saved = pp_io_utils.create_empty_network, pp_file_io.create_empty_network
    pp_io_utils.create_empty_network = pp_file_io.create_empty_network = empty_network
    try:
        yield
    finally:
        pp_io_utils.create_empty_network, pp_file_io.create_empty_network = saved


# the only objects a network file may ask pandapower's JSON reader to build (it would
# otherwise import any module a file names)
ALLOWED_OBJECTS = {("pandas.core.frame", "DataFrame"), ("pandas", "DataFrame"),
                   ("pandas.core.series", "Series"), ("pandas", "Series"),
                   ("pandapower.auxiliary", "pandapowerNet"), ("numpy", "array")}


_TABLE_CLASSES = {"DataFrame", "Series", "pandapowerNet"}


def _check_objects(node, path: Path, depth: int = 0) -> None:
    """Refuse a file that names any module/class outside ALLOWED_OBJECTS, at every depth:
    pandapower nests tables (and a table's cells) as JSON text inside the JSON, so every
    such text is parsed and checked too; a table's `_object` must be that JSON text (a bare
    string would be read by pandas as a file path)."""
    if depth > 200:
        raise NetworkError(path, "(syntax)", "nested more than 200 levels deep",
                           "a pandapower JSON file")
    if isinstance(node, dict):
        if "_module" in node or "_class" in node:
            _check_object(node, path, depth)
        for key, value in node.items():
            if key != "_object":
                _check_objects(value, path, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_objects(value, path, depth + 1)
    elif isinstance(node, str) and node[:1] in ("{", "["):
        try:
            inner = json.loads(node)
        except (ValueError, RecursionError):
            return  # plain text that starts with a bracket: a name, not an object
        _check_objects(inner, path, depth + 1)


def _check_object(node: dict, path: Path, depth: int) -> None:
    kind = (node.get("_module"), node.get("_class"))
    if kind not in ALLOWED_OBJECTS:
        raise NetworkError(path, "_module/_class", f"object {kind[0]}.{kind[1]} is not "
                           "allowed", "pandapower tables only (DataFrame, pandapowerNet)")
    obj = node.get("_object")
    if kind[1] in _TABLE_CLASSES:
        inner = obj
        if isinstance(obj, str):
            try:
                inner = json.loads(obj)
            except (ValueError, RecursionError):
                inner = None
        if not isinstance(inner, (dict, list)):
            raise NetworkError(path, f"{kind[1]}._object", f"{str(obj)[:60]!r}",
                               "the table as JSON text (never a path or a bare value)")
        _check_objects(inner, path, depth + 1)
    else:
        _check_objects(obj, path, depth + 1)


def _json(text: str, path: Path):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NetworkError(path, "(syntax)", f"not JSON: {exc}", "a pandapower JSON file") from None


def load_net(path: Path | str):
    """A pandapower net from JSON (checked for foreign objects). Parsing is slow in pandapower
    (≈ 0.5 s even for tiny nets): a file read before in this process, unchanged since (same
    size and modification time), is served as a copy of the earlier result."""
    path = Path(path)
    try:
        if not path.is_file():
            raise NetworkError(path, "(file)", "network file not found", "a pandapower JSON file")
        stat = path.stat()
    except OSError as exc:
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a UTF-8 JSON file") from None
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _NETS:
        if len(_NETS) >= 8:
            _NETS.pop(next(iter(_NETS)))
        _NETS[key] = _read_net(path)
    return copy.deepcopy(_NETS[key])


_NETS: dict = {}


def _read_net(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a UTF-8 JSON file") from None
    data = _json(text, path)
    _check_objects(data, path)
    try:
        with warnings.catch_warnings(), _cached_empty_networks():
            warnings.simplefilter("ignore")
            return pp.from_json_string(_without_empty_tables(data, text))
    except Exception as exc:  # noqa: BLE001 -- pandapower raises many types on bad JSON
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a pandapower JSON file") from None


def _without_empty_tables(data, text: str) -> str:
    """The JSON without standard tables that have no rows: pandapower's empty template (which
    it fills from the file) already holds them, and parsing each costs ≈ 6 ms — most of a
    small network's read time."""
    net = data.get("_object") if isinstance(data, dict) else None
    if not isinstance(net, dict):
        return text
    template = _empty_template(())
    for name in list(net):
        table = net[name]
        if name not in template or not isinstance(table, dict) or table.get(
                "_class") != "DataFrame" or not isinstance(table.get("_object"), str):
            continue
        try:
            frame = json.loads(table["_object"])
        except ValueError:
            continue
        if isinstance(frame, dict) and frame.get("data") == [] and list(
                frame.get("columns", [])) == list(template[name].columns):
            del net[name]
    return json.dumps(data)


def save_net(net, path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pp.to_json(net, str(path))

"""Unit vocabulary: every name ends in its unit; DataArrays carry attrs['units']."""

SUFFIX_UNITS = {
    "_mw": "MW",
    "_mwh": "MWh",
    "_mw_th": "MW_th",
    "_mwh_th": "MWh_th",
    "_cny": "CNY",
    "_cny_per_mwh": "CNY/MWh",
    "_cny_per_mwh_th": "CNY/MWh_th",
    "_cny_per_mw": "CNY/MW/h",
    "_cny_per_h": "CNY/h",
    "_t": "t",
    "_t_per_mwh": "t/MWh",
    "_h": "h",
    "_pu": "pu",
    "_pct": "%",
    "_c": "degC",
    "_s": "s",
    "_count": "1",
    "_mw_per_h": "MW/h",
}


def units_of(name: str) -> str:
    """Units implied by a variable name's suffix (longest matching suffix wins)."""
    for suffix in sorted(SUFFIX_UNITS, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIX_UNITS[suffix]
    if name in ("on", "startup", "shutdown"):
        return "1"
    raise KeyError(f"name {name!r} does not end in a known unit suffix")


def is_power(unit: str) -> bool:
    """A rate of energy of any carrier (MW, MW_th, MW_H2 …): summed over time it needs dt_h."""
    return unit == "MW" or (unit.startswith("MW_") and "/" not in unit)

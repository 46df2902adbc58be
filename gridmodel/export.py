"""Excel workbook a planner can hand on: Summary, Monthly, Units, Hourly + native charts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from . import attribution, kpi, outputs
from .units import units_of


def _unit(key: str) -> str:
    try:
        return units_of(key)
    except KeyError:
        return ""


def units_table(ds) -> pd.DataFrame:
    if "thermal_p_mw" not in ds:
        return pd.DataFrame()
    dt = ds.attrs["dt_h"]
    p = ds["thermal_p_mw"]
    on = ds["thermal_on_count"]
    cap = ds["thermal_on_count"].max("time").clip(min=1)
    frame = pd.DataFrame({
        "energy_mwh": (p.sum("time") * dt).values,
        "unit_hours_on_h": (on.sum("time") * dt).values,
        "starts_count": ds["thermal_startup_count"].sum("time").values,
        "max_output_mw": p.max("time").values,
        "load_factor_pct": (100 * p.mean("time") / p.max("time").where(p.max("time") > 0)
                            ).fillna(0).values,
        "units_on_max_count": cap.values,
    }, index=pd.Index(ds["thermal"].values, name="unit"))
    return frame


def outputs_table(ds) -> pd.DataFrame:
    """The output registry of this run: what each result variable is, and its total."""
    rows = {o.var: {"carrier": o.carrier, "role": o.role, "unit": ds[o.var].attrs.get("units"),
                    "summary_key": o.summary_key, "label": o.label,
                    "total": outputs.total(ds, o)} for o in outputs.declared(ds)}
    return pd.DataFrame.from_dict(rows, orient="index")


HOURLY_ROLES = outputs.FLOW_ROLES


def hourly_table(ds) -> pd.DataFrame:
    """One column per declared output of every carrier the run balanced (system total, its
    unit in the name) and the renewable split."""
    split = kpi.renewable_split_hourly(ds)
    frame = pd.DataFrame(index=pd.DatetimeIndex(ds["time"].values, name="time"))
    for carrier in outputs.carriers(ds):
        for o in outputs.select(ds, carrier["name"], HOURLY_ROLES):
            frame[o.var] = kpi._hourly_total(ds, o.var)
    if "renewable_available_mw" in ds:
        frame["renewable_available_mw"] = kpi._hourly_total(ds, "renewable_available_mw")
    frame["renewable_local_mw"] = split["local_mw"]
    frame["renewable_exported_mw"] = split["exported_mw"]
    frame["renewable_curtailed_mw"] = split["curtailed_mw"]
    return frame


def _write(ws, frame: pd.DataFrame, fmt_head, fmt_num, index_label: str, index_fmt=None):
    ws.write(0, 0, index_label, fmt_head)
    for j, col in enumerate(frame.columns, start=1):
        ws.write(0, j, str(col), fmt_head)
        ws.set_column(j, j, max(12, len(str(col)) + 2), fmt_num)
    ws.set_column(0, 0, 22)
    for i, (idx, row) in enumerate(frame.iterrows(), start=1):
        if index_fmt is not None:
            ws.write_datetime(i, 0, pd.Timestamp(idx).to_pydatetime(), index_fmt)
        else:
            ws.write(i, 0, str(idx))
        for j, value in enumerate(row.values, start=1):
            if isinstance(value, (int, float, np.floating, np.integer)) and np.isfinite(value):
                ws.write_number(i, j, float(value))
            elif isinstance(value, (float, np.floating)) or value is None:
                ws.write_blank(i, j, None)  # NaN (e.g. no avoided MWh): an empty cell
            else:
                ws.write(i, j, str(value))
    ws.freeze_panes(1, 1)


def write_workbook(ds, summary: dict, path: Path, compare: pd.DataFrame | None = None,
                   merit: pd.DataFrame | None = None,
                   compare_monthly: pd.DataFrame | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    num = wb.add_format({"num_format": "#,##0.00"})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    flat = {k: v for k, v in summary.items() if not isinstance(v, dict)}
    rows = pd.DataFrame({"value": list(flat.values()), "unit": [_unit(k) for k in flat]},
                        index=list(flat))
    _write(wb.add_worksheet("Summary"), rows, head, num, "kpi")
    month = kpi.monthly(ds)
    ws_month = wb.add_worksheet("Monthly")
    _write(ws_month, month, head, num, "month")
    units = units_table(ds)
    if len(units):
        _write(wb.add_worksheet("Units"), units, head, num, "unit")
    _write(wb.add_worksheet("Outputs"), outputs_table(ds), head, num, "variable")
    hourly = hourly_table(ds)
    ws_hour = wb.add_worksheet("Hourly")
    _write(ws_hour, hourly, head, num, "time", when)
    if "bus_price_cny_per_mwh" in ds:
        _prices_sheet(wb, ds, head, num)
    if attribution.OUTPUT.var in ds:
        _causes_sheet(wb, attribution.monthly_table(ds), head, num)
    if compare is not None:
        _write(wb.add_worksheet("Compare"), compare, head, num, "kpi")
    _charts(wb, ws_month, month, ws_hour, hourly,
            [o.var for o in outputs.select(ds, "electricity", outputs.SUPPLY_ROLES)])
    if compare_monthly is not None and len(compare_monthly):
        _compare_monthly_sheet(wb, compare_monthly, head, num)
    if merit is not None and len(merit):
        _merit_sheet(wb, merit.set_index("label"), head, num)
    wb.close()
    return path


def _prices_sheet(wb, ds, head, num) -> None:
    """Monthly mean price by node of every carrier, and the price-duration curve (chart)."""
    ws = wb.add_worksheet("Prices")
    row = 0
    for name, table in kpi.price_tables(ds).items():
        ws.write(row, 0, name, head)
        _write_at(ws, table, head, num, row + 1)
        row += len(table) + 3
    duration = np.sort(kpi.hourly_mean_price(ds))[::-1]
    ws.write(row, 0, "price duration: load-weighted system price, sorted (CNY/MWh)", head)
    for i, value in enumerate(duration):
        ws.write_number(row + 1 + i, 0, float(value), num)
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"name": "system price", "values": ["Prices", row + 1, 0,
                                                         row + len(duration), 0]})
    chart.set_title({"name": "Price duration curve"})
    chart.set_y_axis({"name": "CNY/MWh"})
    chart.set_x_axis({"name": "hours (sorted)"})
    ws.insert_chart(1, 12, chart)


def _causes_sheet(wb, monthly: pd.DataFrame, head, num) -> None:
    """Curtailment by cause and month (MWh) and a stacked column chart."""
    ws = wb.add_worksheet("CurtailmentCauses")
    table = monthly.copy()
    table.loc["total"] = table.sum()
    table.index.name = "month"
    _write_at(ws, table, head, num, 0)
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, cause in enumerate(monthly.columns, start=1):
        chart.add_series({"name": cause, "categories": ["CurtailmentCauses", 1, 0, len(monthly), 0],
                          "values": ["CurtailmentCauses", 1, j, len(monthly), j]})
    chart.set_title({"name": "Wind and solar curtailment by cause"})
    chart.set_y_axis({"name": "MWh"})
    ws.insert_chart(1, len(monthly.columns) + 2, chart)


def _write_at(ws, frame: pd.DataFrame, head, num, top: int) -> None:
    ws.write(top, 0, str(frame.index.name or ""), head)
    for j, col in enumerate(frame.columns, start=1):
        ws.write(top, j, str(col), head)
    for i, (label, values) in enumerate(frame.iterrows(), start=1):
        ws.write(top + i, 0, str(label))
        for j, value in enumerate(values, start=1):
            ws.write_number(top + i, j, float(value), num)


def _charts(wb, ws_month, month, ws_hour, hourly, supply_vars=()) -> None:
    n = len(month)
    if "wind_curtailment_pct" in month:
        col = list(month.columns).index("wind_curtailment_pct") + 1
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "wind curtailment (%)", "categories": ["Monthly", 1, 0, n, 0],
                          "values": ["Monthly", 1, col, n, col]})
        chart.set_title({"name": "Monthly wind curtailment"})
        chart.set_y_axis({"name": "%"})
        ws_month.insert_chart(n + 3, 1, chart)
    week = _winter_week(hourly)
    stack = [c for c in hourly.columns if c in supply_vars and c != "renewable_used_mw"]
    stack += ["renewable_local_mw", "renewable_exported_mw"]
    chart = wb.add_chart({"type": "area", "subtype": "stacked"})
    for c in stack:
        j = list(hourly.columns).index(c) + 1
        chart.add_series({"name": c, "categories": ["Hourly", week[0] + 1, 0, week[1], 0],
                          "values": ["Hourly", week[0] + 1, j, week[1], j]})
    chart.set_title({"name": "Winter-week dispatch (MW)"})
    chart.set_y_axis({"name": "MW"})
    chart.set_size({"width": 900, "height": 400})
    ws_hour.insert_chart(1, len(hourly.columns) + 2, chart)


def _compare_monthly_sheet(wb, table: pd.DataFrame, head, num) -> None:
    """Per month and run: renewables used locally / exported / curtailed, and a chart of the
    curtailed energy of every run."""
    ws = wb.add_worksheet("CompareMonthly")
    _write(ws, table, head, num, "month")
    n = len(table)
    chart = wb.add_chart({"type": "column"})
    for j, col in enumerate(table.columns, start=1):
        if col.endswith("renewable_curtailed_mwh"):
            chart.add_series({"name": col.split(":")[0], "values": ["CompareMonthly", 1, j, n, j],
                              "categories": ["CompareMonthly", 1, 0, n, 0]})
    chart.set_title({"name": "Curtailed wind and solar per month"})
    chart.set_y_axis({"name": "MWh"})
    chart.set_size({"width": 900, "height": 400})
    ws.insert_chart(n + 3, 1, chart)


MERIT_CHARTS = (("avoided_mwh_per_size_unit", "Avoided curtailment per size unit",
                 "MWh per MW (or MWh) installed"),
                ("operating_cost_change_cny_per_avoided_mwh",
                 "Operating cost change per avoided MWh", "CNY/MWh"),
                ("net_benefit_cny", "Net benefit (operating saving − annualised capex)",
                 "CNY over the run"))


def _merit_sheet(wb, merit: pd.DataFrame, head, num) -> None:
    """Flexibility merit order: the table and one native bar chart per measure."""
    ws = wb.add_worksheet("MeritOrder")
    _write(ws, merit, head, num, "option and size")
    n = len(merit)
    for k, (column, title, unit) in enumerate(MERIT_CHARTS):
        if column not in merit:
            continue
        j = list(merit.columns).index(column) + 1
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": title, "categories": ["MeritOrder", 1, 0, n, 0],
                          "values": ["MeritOrder", 1, j, n, j]})
        chart.set_title({"name": title})
        chart.set_x_axis({"name": unit})
        chart.set_legend({"none": True})
        ws.insert_chart(n + 3 + 18 * k, 1, chart, {"x_scale": 1.4})


def _winter_week(hourly: pd.DataFrame) -> tuple[int, int]:
    """Rows of the first week of January when present, else of the run's first week."""
    jan = np.flatnonzero(hourly.index.month == 1)
    start = int(jan[0]) if len(jan) else 0
    return start, min(start + 168, len(hourly))

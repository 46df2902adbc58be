"""gridmodel vs pandapower rundcopp on case30/case118: objective ratio and timings."""

import copy
import json
import tempfile
import time
from pathlib import Path

import pandapower as pp
import pandapower.networks as pn

from gridmodel.case import load_case
from gridmodel.network.io import save_net
from gridmodel.run import solve_case

for make in (pn.case30, pn.case118):
    net = make()
    with tempfile.TemporaryDirectory() as tmp:
        save_net(net, Path(tmp) / "net.json")
        (Path(tmp) / "case.toml").write_text('network = "net.json"\n')
        out = solve_case(load_case(Path(tmp) / "case.toml"))
    ref = copy.deepcopy(net)
    start = time.perf_counter()
    pp.rundcopp(ref, numba=False)
    print(json.dumps({"case": make.__name__, "ours_cny": out.summary["objective_cny"],
                      "rundcopp": ref.res_cost,
                      "ratio": out.summary["objective_cny"] / ref.res_cost,
                      "ours_wall_s": out.summary["wall_time_s"],
                      "rundcopp_s": time.perf_counter() - start}))

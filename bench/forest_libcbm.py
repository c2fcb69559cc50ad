"""Cross-check: one Chinese-fir hectare through libcbm's cbm_exn and through our chain.

    .venv/bin/pip install libcbm        # not a project dependency (PyPI; ships libcbm.so)
    .venv/bin/python bench/forest_libcbm.py [--years 60] [--temperature 18]

Both models get the same growth: our fir curve V(t) (m3/ha) and defaults give the carbon of
the stem (V·WD·CF) and of the rest of the above-ground biomass (V·WD·(BEF − 1)·CF) at each age;
their yearly differences are fed to cbm_exn as its *net increments* per pool (merch_inc,
other_inc, foliage_inc; t C/ha), the interface of libcbm's
resources/test/cbm_exn_net_increments example. The split of the non-stem biomass between
foliage and branches (``--foliage-share``, default 0.25) is an assumption: the national
default table gives one BEF, not its parts.

libcbm then adds what our chain leaves out — roots by its own allometry (Li et al. 2003, not
our R), annual turnover of foliage, branches, stems and roots into snags, litter and soil, and
decay of the dead-organic-matter (DOM) pools by temperature — with its Canadian parameters
(spatial unit 17, Ontario mixedwood plains, red pine: the packaged defaults), and a spin-up
that gives the soil a history of fire cycles. The printout shows both stock series and where
they part (docs/methodologies.md, "Cross-check with libcbm").
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from libcbm.model.cbm_exn import cbm_exn_model
from libcbm.model.model_definition.model_variables import ModelVariables
from libcbm.model.model_definition.output_processor import ModelOutputProcessor

from qingshan.science.forest import DEFAULTS, SpeciesGroup, Stand, stock_co2, volume_per_ha
from qingshan.science.forest.parameters import CO2_PER_C

BIOMASS = ["Merch", "Foliage", "Other", "CoarseRoots", "FineRoots"]
DOM = ["AboveGroundVeryFastSoil", "BelowGroundVeryFastSoil", "AboveGroundFastSoil",
       "BelowGroundFastSoil", "MediumSoil", "AboveGroundSlowSoil", "BelowGroundSlowSoil",
       "StemSnag", "BranchSnag"]


def our_pools(years: int, foliage_share: float) -> pd.DataFrame:
    """t C/ha of stem, foliage and other above-ground biomass at ages 0..years (our chain)."""
    p = DEFAULTS[SpeciesGroup.FIR]
    v = volume_per_ha(p.growth, np.arange(years + 1))
    stem = v * p.wood_density.value * p.carbon_fraction.value
    rest = stem * (p.bef.value - 1.0)
    return pd.DataFrame({"age": np.arange(years + 1), "merch": stem,
                         "foliage": rest * foliage_share, "other": rest * (1 - foliage_share)})


def run_libcbm(pools: pd.DataFrame, years: int, temperature: float,
               grow: bool = True) -> pd.DataFrame:
    """cbm_exn fed our increments: the increment keyed by age a takes the stand from a − 1
    to a (libcbm's spin-up wants ages from 1); a step of a stand at age k applies the
    increment of age k + 1, so the pools after step t are ours at age t. ``grow=False``: the
    same spin-up, then no growth (the counterfactual for the DOM the stand adds)."""
    inc = pd.DataFrame({"age": pools["age"][1:].to_numpy(),
                        "merch_inc": np.diff(pools["merch"]),
                        "foliage_inc": np.diff(pools["foliage"]),
                        "other_inc": np.diff(pools["other"])})
    increments = inc.copy()
    increments.insert(0, "row_idx", 0)
    spinup_input = {
        "parameters": pd.DataFrame({
            "age": [0], "area": [1], "delay": [0], "return_interval": [125],
            "min_rotations": [10], "max_rotations": [30], "spatial_unit_id": [17],
            "species": [20], "mean_annual_temperature": [temperature],
            "historical_disturbance_type": [1], "last_pass_disturbance_type": [1]}),
        "increments": increments,
    }
    out = ModelOutputProcessor()
    with cbm_exn_model.initialize() as model:
        cbm_vars = model.spinup(spinup_input)
        out.append_results(0, ModelVariables.from_pandas(cbm_vars))
        for t in range(1, years + 1):
            age = cbm_vars["state"]["age"] + 1
            row = inc.merge(age.to_frame("age"), on="age", how="right").fillna(0.0)
            cbm_vars["parameters"]["mean_annual_temperature"] = temperature
            cbm_vars["parameters"]["disturbance_type"] = 0
            for k in ("merch_inc", "foliage_inc", "other_inc"):
                cbm_vars["parameters"][k] = row[k].to_numpy() * (1.0 if grow else 0.0)
            cbm_vars = model.step(cbm_vars)
            out.append_results(t, ModelVariables.from_pandas(cbm_vars))
    res = out.get_results()["pools"].to_pandas()
    frame: pd.DataFrame = res.groupby("timestep")[BIOMASS + DOM].sum()
    return frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--years", type=int, default=60)
    ap.add_argument("--temperature", type=float, default=18.0,
                    help="mean annual temperature, °C (decay rates)")
    ap.add_argument("--foliage-share", type=float, default=0.25)
    args = ap.parse_args()
    ours = our_pools(args.years, args.foliage_share)
    t0 = time.perf_counter()
    cbm = run_libcbm(ours, args.years, args.temperature)
    bare = run_libcbm(ours, args.years, args.temperature, grow=False)
    took = time.perf_counter() - t0
    p = DEFAULTS[SpeciesGroup.FIR]
    our_tree_c = stock_co2([Stand("fir", SpeciesGroup.FIR, 1.0, 0.0)],
                           np.arange(args.years + 1)) / CO2_PER_C
    our_ag = ours["merch"] + ours["foliage"] + ours["other"]
    print(f"1 ha Chinese fir, {args.years} years, libcbm cbm_exn {took:.1f} s "
          f"(two runs: spin-up + steps); our R {p.root_shoot.value}, CF {p.carbon_fraction.value}")
    print(" year | ours: AG   roots  tree | libcbm: AG  roots  tree | tree diff | "
          "DOM added  legacy DOM")
    dom0 = float(cbm.loc[0, DOM].sum())
    for t in [0, 5, 10, 15, 20, 30, 40, 50, 60]:
        if t > args.years:
            continue
        ag_c = float(cbm.loc[t, ["Merch", "Foliage", "Other"]].sum())
        roots_c = float(cbm.loc[t, ["CoarseRoots", "FineRoots"]].sum())
        added = float(cbm.loc[t, DOM].sum() - bare.loc[t, DOM].sum())
        legacy = float(bare.loc[t, DOM].sum()) - dom0
        ours_ag, ours_tree = float(our_ag[t]), float(our_tree_c[t])
        diff = (ag_c + roots_c) / ours_tree - 1 if ours_tree else float("nan")
        print(f" {t:4d} | {ours_ag:8.1f} {ours_tree - ours_ag:6.1f} {ours_tree:6.1f} | "
              f"{ag_c:8.1f} {roots_c:6.1f} {ag_c + roots_c:6.1f} | {diff:+8.1%} | "
              f"{added:+9.1f} {legacy:+10.1f}")
    print("t C/ha. DOM added: libcbm's dead organic matter and soil with the stand growing "
          "less the same without growth (litter, snags, soil the plantation builds; our chain "
          "does not count it). Legacy DOM: the change of the spin-up's (fire-history) DOM "
          "without growth, decaying.")


if __name__ == "__main__":
    main()

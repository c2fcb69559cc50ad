"""Rural household biogas (农村户用沼气): biogas cooking displaces coal.

    ER_y = N_y × FC_y × NCV × EF_CO2 / 1000        (tCO2e; EF in kg CO2/GJ)

N digesters in use in the year, each displacing FC tonnes of coal a year; NCV and EF are the
IPCC 2006 defaults for other bituminous coal: NCV = 25.8 TJ/Gg (GJ/t) (2006 IPCC Guidelines,
Vol. 2, ch. 1, Table 1.2) and EF = 94,600 kg CO2/TJ = 94.6 kg CO2/GJ (Table 1.4). The
fuel-switch structure follows CDM AMS-I.I *Biogas/biomass thermal applications for
households/small users*; the methane avoided in manure management (AMS-III.R) is not counted
here, which errs low.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import Methodology, Parameter, Source, Values

IPCC_NCV = Source("2006 IPCC Guidelines for National Greenhouse Gas Inventories", "IPCC",
                  "Vol. 2, ch. 1, Table 1.2: other bituminous coal NCV 25.8 TJ/Gg",
                  "https://www.ipcc-nggip.iges.or.jp/public/2006gl/")
IPCC_EF = Source("2006 IPCC Guidelines for National Greenhouse Gas Inventories", "IPCC",
                 "Vol. 2, ch. 1, Table 1.4: other bituminous coal 94,600 kg CO2/TJ",
                 "https://www.ipcc-nggip.iges.or.jp/public/2006gl/")
AMS_II = Source("AMS-I.I Biogas/biomass thermal applications for households/small users",
                "UNFCCC CDM", "baseline: fossil fuel displaced by the thermal energy supplied",
                "https://cdm.unfccc.int/methodologies/DB/")


def calculate(v: Values) -> float:
    # digesters × t coal × GJ/t × kg CO2/GJ = kg CO2; / 1,000 → t CO2
    return v["digesters"] * v["coal_per_digester_t"] * v["ncv_gj_per_t"] * v["ef_kg_per_gj"] \
        / 1_000


METHODOLOGY = Methodology(
    id="CQ-BIOGAS", version="1.0", title_zh="农村户用沼气", title_en="rural household biogas",
    sector="agriculture",
    scope="Household biogas digesters fed with manure whose gas replaces coal for cooking and "
          "heating; digesters in use are checked by a sample survey each year.",
    source=AMS_II,
    parameters=(
        Parameter("digesters", "运行沼气池数", "digesters in use", "digesters", minimum=0,
                  maximum=10_000_000),
        Parameter("coal_per_digester_t", "户均替代燃煤", "coal displaced per digester",
                  "t/yr", minimum=0, maximum=5),
        Parameter("ncv_gj_per_t", "燃煤低位发热量", "net calorific value of coal", "GJ/t",
                  minimum=10, maximum=35, default=25.8, source=IPCC_NCV, monitored=False),
        Parameter("ef_kg_per_gj", "燃煤排放因子", "CO2 emission factor of coal", "kgCO2/GJ",
                  minimum=50, maximum=120, default=94.6, source=IPCC_EF, monitored=False),
    ),
    report_fields=("sample survey of digesters in use", "household coal-use survey"),
    calculate=calculate)

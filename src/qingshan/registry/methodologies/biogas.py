"""Rural household biogas (农村户用沼气): biogas cooking displaces coal; the methane that leaks
from the digesters is deducted.

@2.0 (registry rules 2), per monitoring period:

    ER = N × Y × (FC × NCV × EF − V × f_CH4 × f_leak × ρ_CH4 × GWP_CH4) / 1000     (tCO2e)

N whole digesters found in operation by the period's sample survey, Y the period's length in
years (derived by the registry, each calendar year by its own days), FC raw coal displaced per
digester and year (household survey). NCV is the average net calorific value of Chinese raw
coal, 20,908 kJ/kg (GB/T 2589-2020, appendix A) — not the 25.8 GJ/t of the IPCC's "other
bituminous coal", which overstates household coal by about 23 %; EF is the IPCC's default CO2
factor of 94.6 kg/GJ, the lowest of its hard-coal defaults. The leakage term is the physical
leakage of methane from the digesters, counted as project emissions as in AMS-III.R: biogas
per digester and year V (default 385 m³, the Guizhou Gold Standard programme's printed
figure), its methane fraction, the leaking fraction and methane's GWP are fixed at validation
from the validated project document (no default is given where no source was read). The
fuel-switch structure follows CDM AMS-I.I; the methane avoided in manure management is not
counted, which errs low.

@1.0 (legacy, registry rules 1): N × FC × 25.8 × 94.6 / 1000, with no period length, fractional
digesters and no leakage — kept only so that old entries replay.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import (
    Methodology,
    Parameter,
    ParameterKind,
    Source,
    Values,
)

FIXED, DERIVED = ParameterKind.FIXED, ParameterKind.DERIVED

IPCC_NCV = Source("2006 IPCC Guidelines for National Greenhouse Gas Inventories", "IPCC",
                  "Vol. 2, ch. 1, Table 1.2: other bituminous coal NCV 25.8 TJ/Gg",
                  "https://www.ipcc-nggip.iges.or.jp/public/2006gl/")
IPCC_EF = Source("2006 IPCC Guidelines for National Greenhouse Gas Inventories", "IPCC",
                 "Vol. 2, ch. 1, Table 1.4: other bituminous coal 94,600 kg CO2/TJ (the lowest "
                 "default of the hard coals: sub-bituminous 96,100, anthracite 98,300)",
                 "https://www.ipcc-nggip.iges.or.jp/public/2006gl/")
GB_2589 = Source("GB/T 2589-2020 综合能耗计算通则 (General principles for calculation of the "
                 "comprehensive energy consumption)", "国家市场监督管理总局、国家标准化管理委员会",
                 "appendix A: 原煤 average net calorific value 20,908 kJ/kg (5,000 kcal/kg)")
AMS_II = Source("AMS-I.I Biogas/biomass thermal applications for households/small users, "
                "version 04", "UNFCCC CDM",
                "baseline: fossil fuel displaced by the thermal energy supplied",
                "https://cdm.unfccc.int/methodologies/DB/")
AMS_IIIR = Source("AMS-III.R Methane recovery in agricultural activities at household/small "
                  "farm level, version 03", "UNFCCC CDM",
                  "project emissions: physical leakage of methane from the digester; values "
                  "fixed from the validated project document",
                  "https://cdm.unfccc.int/methodologies/DB/")
GUIZHOU_GS = Source("Yanhe, Dejiang and Yinjiang Rural Methane Digesters Project, Gold "
                    "Standard passport v05.1, 2013-11-06", "Gold Standard",
                    "\"Each RMD will have 8 m3 capacity and an annual production of around "
                    "385m3 of biogas\"", "https://docslib.org/doc/5571821/download-document")
METHANE_DENSITY = Source("methane at 0 °C and 101.325 kPa: molar mass 16.043 g/mol ÷ molar "
                         "volume 22.414 L/mol", "physical constants (IUPAC)",
                         "0.716 kg/m³")

SCOPE = ("Household biogas digesters fed with manure whose gas replaces coal for cooking and "
         "heating; digesters in use are checked by a sample survey each period.")
REPORT_FIELDS = ("sample survey of digesters in use", "household coal-use survey")


def calculate_v1(v: Values) -> float:
    # digesters × t coal × GJ/t × kg CO2/GJ = kg CO2; / 1,000 → t CO2
    return v["digesters"] * v["coal_per_digester_t"] * v["ncv_gj_per_t"] * v["ef_kg_per_gj"] \
        / 1_000


def calculate(v: Values) -> float:
    coal_kg = v["coal_per_digester_t"] * v["ncv_gj_per_t"] * v["ef_kg_per_gj"]
    leak_kg = v["biogas_m3"] * v["ch4_fraction"] * v["leak_fraction"] * v["ch4_density"] \
        * v["gwp_ch4"]
    return v["digesters"] * v["period_years"] * (coal_kg - leak_kg) / 1_000


V1 = Methodology(
    id="CQ-BIOGAS", version="1.0", title_zh="农村户用沼气", title_en="rural household biogas",
    sector="agriculture", scope=SCOPE, source=AMS_II,
    parameters=(
        Parameter("digesters", "运行沼气池数", "digesters in use", "digesters", minimum=0,
                  maximum=10_000_000),
        Parameter("coal_per_digester_t", "户均替代燃煤", "coal displaced per digester",
                  "t/yr", minimum=0, maximum=5),
        Parameter("ncv_gj_per_t", "燃煤低位发热量", "net calorific value of coal", "GJ/t",
                  minimum=10, maximum=35, default=25.8, source=IPCC_NCV, kind=FIXED),
        Parameter("ef_kg_per_gj", "燃煤排放因子", "CO2 emission factor of coal", "kgCO2/GJ",
                  minimum=50, maximum=120, default=94.6, source=IPCC_EF, kind=FIXED),
    ),
    report_fields=REPORT_FIELDS, calculate=calculate_v1, legacy=True,
    successor="CQ-BIOGAS@2.0")

V2 = Methodology(
    id="CQ-BIOGAS", version="2.0", title_zh="农村户用沼气", title_en="rural household biogas",
    sector="agriculture", scope=SCOPE, source=AMS_II,
    parameters=(
        Parameter("digesters", "运行沼气池数", "digesters found in operation", "digesters",
                  minimum=0, maximum=10_000_000, integer=True),
        Parameter("coal_per_digester_t", "户均替代原煤", "raw coal displaced per digester",
                  "t/yr", minimum=0, maximum=3),
        Parameter("ncv_gj_per_t", "原煤平均低位发热量", "net calorific value of raw coal",
                  "GJ/t", minimum=10, maximum=30, default=20.908, source=GB_2589, kind=FIXED),
        Parameter("ef_kg_per_gj", "燃煤排放因子", "CO2 emission factor of coal", "kgCO2/GJ",
                  minimum=50, maximum=120, default=94.6, source=IPCC_EF, kind=FIXED),
        Parameter("biogas_m3", "户均年产沼气量", "biogas per digester", "m³/yr", minimum=0,
                  maximum=2_000, default=385, source=GUIZHOU_GS, kind=FIXED),
        Parameter("ch4_fraction", "沼气甲烷含量", "methane fraction of the biogas", "1",
                  minimum=0.3, maximum=0.9, source=AMS_IIIR, kind=FIXED),
        Parameter("leak_fraction", "甲烷物理泄漏比例", "methane leaking from the digester",
                  "1", minimum=0, maximum=1, source=AMS_IIIR, kind=FIXED),
        Parameter("ch4_density", "甲烷密度", "density of methane", "kg/m³", minimum=0.6,
                  maximum=0.8, default=0.716, source=METHANE_DENSITY, kind=FIXED),
        Parameter("gwp_ch4", "甲烷全球增温潜势", "global warming potential of methane",
                  "tCO2e/tCH4", minimum=1, maximum=100, source=AMS_IIIR, kind=FIXED),
        Parameter("period_years", "监测期年数", "length of the monitoring period", "yr",
                  kind=DERIVED),
    ),
    report_fields=REPORT_FIELDS, calculate=calculate,
    notes=("N counts whole digesters in operation; the coal they displace is per year, so the "
           "period's length scales it",))

METHODOLOGY = V2

"""``qingshan registry import-factors`` and ``import-gec`` as a user runs them: one journal
entry per import, the same file again an idempotent replay, bad input exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.test_cli import env, qingshan  # noqa: F401 - the env fixture


def test_importing_the_shipped_factor_table_and_a_gec_list(env: dict[str, str],  # noqa: F811
                                                           tmp_path: Path) -> None:
    first = qingshan(env, "registry", "import-factors")
    assert first.returncode == 0, first.stderr
    assert '"added":3' in first.stdout
    again = qingshan(env, "registry", "import-factors")  # the same file: replayed, not re-run
    assert again.returncode == 0 and again.stdout == first.stdout
    gec = tmp_path / "gec.csv"
    gec.write_text("reference,plant_code,period_start,period_end,mwh,source\n"
                   "GEC-1,PV-500237-0001,2023-07-01,2023-07-31,95.5,GEC list\n")
    r = qingshan(env, "registry", "import-gec", str(gec))
    assert r.returncode == 0 and '"added":1' in r.stdout, r.stderr
    db = sqlite3.connect(env["QINGSHAN_DATABASE_URL"].removeprefix("sqlite:///"))
    kinds = [k for (k,) in db.execute("SELECT kind FROM journal ORDER BY seq")]
    values = sorted(v for (v,) in db.execute("SELECT value FROM registry_grid_factors"))
    db.close()
    assert kinds == ["import_grid_factors", "import_green_certificates"]
    assert values == ["0.5306", "0.5366", "0.5568"]
    assert qingshan(env, "log", "verify").returncode == 0


def test_a_malformed_list_exits_2_and_imports_nothing(env: dict[str, str],  # noqa: F811
                                                      tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,plant_code,period_start,period_end,mwh\n"
                   "GEC-1,PV-1,2023-07-01,2023-07-31,95.5\n")
    r = qingshan(env, "registry", "import-gec", str(bad))
    assert r.returncode == 2 and "lacks source" in r.stderr
    bad.write_text("reference,plant_code,period_start,period_end,mwh,source\n"
                   "GEC-1,PV-1,2023-07-31,2023-07-01,95.5,x\n"
                   "GEC-2,PV 1,2023-07-01,2023-07-31,-1,x\n")
    r = qingshan(env, "registry", "import-gec", str(bad))
    assert r.returncode == 2 and "2 of 2 rows are malformed" in r.stderr
    assert qingshan(env, "registry", "import-gec", str(tmp_path / "none.csv")).returncode == 2

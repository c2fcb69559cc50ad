"""Screenshots of the demo for the docs, taken by Debian's Chromium through Playwright.

    .venv/bin/python -m tests.support.screenshots            # full demo → docs/img/*.png
    make screenshots                                          # the same

loads the demo into a new database in a temporary folder, serves it, and photographs the
cockpit and a market page (desktop width, full page). ``tests/e2e/test_demo_pages.py`` runs
the same code on a small demo.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from qingshan.api.app import create_app
from qingshan.demo import load_demo
from qingshan.infra.config import Settings
from qingshan.platform import Platform
from tests.support.server import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
PAGES = {"cockpit": "/?measure=traded", "market": "/market/CQCER-ALL"}


@contextmanager
def demo_site(folder: Path, enterprises: int = 149) -> Iterator[str]:
    """The demo loaded into a new database in ``folder``, served; yields the base URL."""
    settings = Settings(database_url=f"sqlite:///{folder / 'demo.db'}",
                        signing_key_path=folder / "key.pem", sqlite_synchronous="NORMAL")
    plat = Platform.open(settings)
    try:
        load_demo(plat.sequencer, enterprises=enterprises)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings, plat), host="127.0.0.1",
                                               port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        try:
            yield base
        finally:
            server.should_exit = True
            thread.join(10)
    finally:
        plat.close()


def shoot(browser: Any, base: str, out: Path, lang: str = "zh") -> dict[str, Path]:
    """Full-page screenshots of the cockpit and the CQCER-ALL market page at desktop width;
    returns the files by page name."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, path in PAGES.items():
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sep = "&" if "?" in path else "?"
        page.goto(f"{base}{path}{sep}lang={lang}")
        page.wait_for_load_state("networkidle")
        files[name] = out / f"{name}.png"
        page.screenshot(path=str(files[name]), full_page=True)
        page.close()
    return files


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=149)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, demo_site(Path(tmp), args.enterprises) as base, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, path in shoot(browser, base, args.out).items():
            print(f"{name}: {path}")
        browser.close()


if __name__ == "__main__":
    main()

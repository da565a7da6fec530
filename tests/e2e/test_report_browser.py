"""Rendered reports in a real headless Chromium: they load cleanly, offline, and show pictures.

Drives the system Chromium (/usr/bin/chromium, or $TWIN_CHROMIUM) with Playwright; no browser
download. Skipped only when no Chromium is installed.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.run_folders import Producers
from twin.report import render_run_report, render_sweep_report
from twin.report.cli import main as report_main

pytestmark = pytest.mark.e2e

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# every <img> (decoded: naturalWidth > 0) and every inline chart <svg> (drawn, with size)
IMAGES_JS = """() => [
    ...Array.from(document.images).map(i => ({
        tag: 'img', ok: i.complete && i.naturalWidth > 0, w: i.getBoundingClientRect().width})),
    ...Array.from(document.querySelectorAll('svg.chart')).map(s => {
        const r = s.getBoundingClientRect();
        return {tag: 'svg', ok: s.querySelectorAll('path, use').length > 10,
                w: r.width, h: r.height};
    })]"""


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("TWIN_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@contextmanager
def chromium_context(profile: Path, width: int, height: int) -> Iterator[Any]:
    """A persistent Chromium context with a fresh profile folder (--user-data-dir); skips
    the test when no Chromium is installed."""
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "Chromium is not installed (looked for $TWIN_CHROMIUM, /usr/bin/chromium, "
            "chromium on PATH); apt-get install chromium to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a missing dev dependency must fail, not skip
        pytest.fail("Python package playwright is missing: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def report_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium_context(tmp_path_factory.mktemp("report_chromium_profile"), 1280, 900) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def report_files(tmp_path_factory: pytest.TempPathFactory, producers: Producers) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("report_files")
    run_dir = producers.run(
        tmp / "run", n_stores=4, n_reps=3, scenario="<script>alert('x')</script>"
    )
    sweep_dir = producers.sweep(tmp / "sweep", failed_jobs=(3,))
    return {
        "run": render_run_report(run_dir, tmp / "run.html"),
        "sweep": render_sweep_report(sweep_dir, tmp / "sweep.html"),
    }


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems, requests


def _not_blank(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    return len(colours) if colours is not None else 1 << 20


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_report_loads_offline_without_errors(
    report_browser: Any, report_files: dict[str, Path], kind: str
) -> None:
    page, problems, requests = _open(report_browser, report_files[kind])
    try:
        assert problems == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        assert page.title().startswith(f"{kind.capitalize()} report")
    finally:
        page.close()


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_every_image_is_decoded_and_drawn(
    report_browser: Any, report_files: dict[str, Path], kind: str
) -> None:
    page, _, _ = _open(report_browser, report_files[kind])
    try:
        images = page.evaluate(IMAGES_JS)
        assert len(images) >= (7 if kind == "run" else 3)
        assert all(i["ok"] and i["w"] > 200 for i in images), images
        assert all(i.get("h", 1) > 100 for i in images), images
        chart = page.locator("svg.chart").first
        assert _not_blank(chart.screenshot()) > 20
    finally:
        page.close()


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_screenshot_is_not_blank_on_screen_and_in_print(
    report_browser: Any, report_files: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    page, _, _ = _open(report_browser, report_files[kind])
    try:
        screen = page.screenshot(full_page=True)
        (tmp_path / f"{kind}.png").write_bytes(screen)
        assert _not_blank(screen) > 50
        page.emulate_media(media="print")
        assert _not_blank(page.screenshot(full_page=True)) > 50
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        page.close()


def test_script_in_config_is_text_not_code(
    report_browser: Any, report_files: dict[str, Path]
) -> None:
    page, problems, _ = _open(report_browser, report_files["run"])
    try:
        page.locator("details summary", has_text="Resolved configuration").click()
        assert "<script>alert('x')</script>" in page.locator("details pre").first.inner_text()
        # the only script is the report's own table script, allowed by its CSP hash
        assert page.evaluate("document.scripts.length") == 1
        csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert csp is not None and "script-src 'sha256-" in csp and "unsafe-inline'" in csp
        assert problems == []
    finally:
        page.close()


def test_report_of_a_real_twin_run_loads_cleanly(report_browser: Any, tmp_path: Path) -> None:
    """The real ``twin`` command's run folder, then ``twin-report`` on it, then the browser."""
    twin = shutil.which("twin") or str(Path(sys.executable).with_name("twin"))
    done = subprocess.run(
        [twin, "network.n_stores=3", "run.replications=2", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "real.html"
    assert report_main([str(tmp_path / "run"), "--out", str(out)]) == 0
    page, problems, requests = _open(report_browser, out)
    try:
        assert problems == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        images = page.evaluate(IMAGES_JS)
        assert len(images) >= 6 and all(i["ok"] for i in images), images
        assert page.locator(".card").count() >= 6
        assert _not_blank(page.screenshot(full_page=True)) > 50
    finally:
        page.close()

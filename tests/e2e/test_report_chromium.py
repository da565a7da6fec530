"""Every page type, made from real producer output, in Chromium at 1,400 px: the decision is
on screen, nothing overflows, the table script sorts and filters under the page's CSP.

Screenshots go to $TWIN_SCREENSHOTS (when set) or the test's tmp folder, to be looked at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_report_browser import _not_blank, chromium_context
from tests.report_support import PRODUCERS
from twin.report import render_run_report, render_sizing_report, render_sweep_report

pytestmark = [pytest.mark.e2e, PRODUCERS]

WIDTH = 1400

# elements wider than their box (outside horizontal scrollers and preformatted text), and
# charts, cards and tables sticking out of <main>; scrollers that would have to scroll too
OVERFLOW_JS = """() => {
  const bad = [];
  const main = document.querySelector('main').getBoundingClientRect();
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('pre, details:not([open]), svg')) continue;
    const st = getComputedStyle(el);
    if (st.display === 'none' || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      bad.push(`${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`);
    if (el.matches('svg.chart, .card, table, figure')) {
      const r = el.getBoundingClientRect();
      if (r.right > main.right + 1 || r.left < main.left - 1)
        bad.push(`${el.tagName}.${el.className} outside main`);
    }
  }
  return bad;
}"""

CSP_LISTENER = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium_context(tmp_path_factory.mktemp("chromium_1400"), WIDTH, 1000) as context:
        context.add_init_script(CSP_LISTENER)
        context.set_default_timeout(120_000)
        yield context


@pytest.fixture(scope="module")
def pages(
    real_run_with_plan: Path,
    real_sweep_dir: Path,
    real_sizing_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("pages_1400")
    return {
        "run": render_run_report(real_run_with_plan, tmp / "run.html"),
        "sweep": render_sweep_report(real_sweep_dir, tmp / "sweep.html"),
        "sizing": render_sizing_report(real_sizing_dir, tmp / "sizing.html"),
    }


def _open(chromium: Any, path: Path) -> tuple[Any, list[str]]:
    page = chromium.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems


def _shot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TWIN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("kind", ["run", "sweep", "sizing"])
def test_page_at_1400px_shows_numbers_and_nothing_overflows(
    chromium: Any, pages: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    page, problems = _open(chromium, pages[kind])
    try:
        first_screen = page.screenshot()
        (_shot_dir(tmp_path) / f"{kind}_first_screen.png").write_bytes(first_screen)
        full = page.screenshot(full_page=True)
        (_shot_dir(tmp_path) / f"{kind}_full.png").write_bytes(full)
        assert _not_blank(first_screen) > 50
        # headline numbers: the cards (run, sizing), the answer's sentences (sweep)
        headline = ".card .value" if kind != "sweep" else "#answer li"
        values = page.locator(headline).all_inner_texts()
        assert values and all(any(ch.isdigit() for ch in v) for v in values), values
        assert page.evaluate(OVERFLOW_JS) == []
        assert page.evaluate("window.__csp") == []
        assert problems == []
    finally:
        page.close()


def test_sizing_recommendation_in_the_browser_equals_sizing_json(
    chromium: Any,
    pages: dict[str, Path],
    real_sizing_dir: Path,
) -> None:
    sizing = json.loads((real_sizing_dir / "sizing.json").read_text())
    page, _ = _open(chromium, pages["sizing"])
    try:
        box = page.locator("#recommendation").bounding_box()
        assert box is not None and box["y"] < 1000, "on the first screen"
        for resource, capacity in sizing["recommendation"].items():
            card = page.locator(f'#recommendation .card[data-resource="{resource}"] .value')
            assert card.inner_text() == ("none" if capacity is None else str(capacity))
    finally:
        page.close()


def test_experiment_answer_names_the_baseline_on_the_first_screen(
    chromium: Any, pages: dict[str, Path]
) -> None:
    page, _ = _open(chromium, pages["sweep"])
    try:
        answer = page.locator("#answer")
        assert "baseline job 0 (lanes=8)" in answer.inner_text()
        box = answer.bounding_box()
        assert box is not None and box["y"] < 1000
        assert page.locator("#question").inner_text().strip() != ""
    finally:
        page.close()


def test_tables_sort_and_filter_under_the_pages_csp(chromium: Any, pages: dict[str, Path]) -> None:
    page, problems = _open(chromium, pages["run"])
    try:
        details = page.locator("details", has=page.locator("summary", has_text="by store")).first
        details.evaluate("d => { d.open = true; }")
        table = details.locator("table.sortable")
        store_col = table.locator("th", has_text="Store")
        store_col.click()
        assert store_col.get_attribute("aria-sort") == "ascending"
        first = table.locator("tbody tr td.key").first.inner_text()
        store_col.click()
        assert store_col.get_attribute("aria-sort") == "descending"
        assert table.locator("tbody tr td.key").first.inner_text() > first
        search = details.locator("input.filter")
        assert search.is_visible(), "the script shows the filter box"
        rows = table.locator("tbody tr")
        total = rows.count()
        search.fill("S02")
        visible = sum(1 for i in range(total) if rows.nth(i).is_visible())
        assert 0 < visible < total
        assert page.evaluate("window.__csp") == []
        assert problems == []
    finally:
        page.close()

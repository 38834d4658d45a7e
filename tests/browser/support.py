"""Helpers for browser tests: axe-core checks and screenshots (fixtures are in conftest.py)."""

import json
import os
import shutil
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


def run_axe(page) -> list[dict]:
    """axe-core violations of the page for WCAG 2.0/2.1 A and AA."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate, not add_script_tag: the page's CSP blocks injected inline scripts
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
                "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
            }
            for v in violations
        ],
        indent=1,
        ensure_ascii=False,
    )


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under tests/browser/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def docs_screenshot(path: Path, name: str) -> Path | None:
    """Copy a screenshot to docs/img/<name>.png, which the README shows, when
    PLANWERK_DOCS_SCREENSHOTS is set; an ordinary test run (parallel workers, several checkouts)
    leaves the committed images alone."""
    if not os.environ.get("PLANWERK_DOCS_SCREENSHOTS"):
        return None
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    target = DOCS_IMAGES / f"{name}.png"
    shutil.copyfile(path, target)
    return target

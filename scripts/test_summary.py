"""Print one line per test pass and a closing total from pytest's JUnit XML reports.

Usage: python scripts/test_summary.py LABEL=REPORT.xml [LABEL=REPORT.xml ...]
A missing report (a pass that was skipped or crashed) is listed as such, not counted.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

FIELDS = ("passed", "failed", "skipped")


def read_counts(path: Path) -> dict[str, int]:
    """Counts of passed, failed (failures and errors) and skipped tests in one JUnit report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = dict.fromkeys(FIELDS, 0)
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts["passed"] += tests - failed - skipped
        counts["failed"] += failed
        counts["skipped"] += skipped
    return counts


def format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[field]} {field}" for field in FIELDS)


def main(argv: list[str]) -> int:
    total = dict.fromkeys(FIELDS, 0)
    width = max((len(arg.partition("=")[0]) for arg in argv), default=0) + 1
    for arg in argv:
        label, _, report = arg.partition("=")
        path = Path(report)
        if not path.is_file() or path.stat().st_size == 0:
            print(f"{label + ':':<{width}} nicht gelaufen / did not run")
            continue
        counts = read_counts(path)
        print(f"{label + ':':<{width}} {format_counts(counts)}")
        for field in FIELDS:
            total[field] += counts[field]
    print(f"total: {format_counts(total)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

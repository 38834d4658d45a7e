#!/usr/bin/env python
"""Benchmark the PDF export: render time, pages, size and peak memory.

    python scripts/bench_pdf.py                       # Leipzig, 100 and 1,000 measures
    python scripts/bench_pdf.py --cases leipzig,100   # a subset
    python scripts/bench_pdf.py --variant plain       # untagged PDF instead of PDF/UA-1
    python scripts/bench_pdf.py --tracemalloc         # also Python heap peak (much slower)

Loads the Leipzig demo data (``manage.py load_demo_data``) and generates the large plans in a
throw-away SQLite database (its own var/ directory), then renders
each one in a fresh child process, so the peak RSS (``ru_maxrss``) belongs to that render
alone. The render is cold: it includes loading fonts and the hyphenation dictionary, as the
first export in a new worker does. Prints a Markdown table for docs/benchmarks.md.
"""

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "leipzig": {"label": "Leipzig 2011 (5 fields, 10 measures)"},
    "100": {"label": "generated, 100 measures", "fields": 5, "measures_per_field": 20},
    "1000": {"label": "generated, 1,000 measures", "fields": 10, "measures_per_field": 100},
}


def _setup(var_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["PLANWERK_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(cases: list[str]) -> dict[str, str]:
    from django.core.management import call_command

    from actionplan.models import Plan
    from actionplan.signals import plan_touch
    from tests.factories import build_plan

    call_command("migrate", verbosity=0)
    slugs = {}
    for case in cases:
        spec = CASES[case]
        if case == "leipzig":
            # The real demo data (fixtures/leipzig.json), as a coordinator would export it.
            call_command("load_demo_data", stdout=io.StringIO())
            plan = Plan.objects.get(slug="leipzig-2011")
        else:
            plan = build_plan(
                fields=spec["fields"],
                measures_per_field=spec["measures_per_field"],
                steps_per_measure=3,
                slug=f"bench-{case}",
            )
        plan_touch(plan)
        slugs[case] = plan.slug
    return slugs


def child(slug: str, variant: str, use_tracemalloc: bool) -> None:
    import documents
    from actionplan.models import Measure, Plan

    plan = Plan.objects.get(slug=slug)
    measures = Measure.objects.filter(field__plan=plan).count()
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    data = documents.render("plan", plan, variant=variant)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    heap = None
    if use_tracemalloc:
        heap = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    pages = _pages(data)
    print(
        json.dumps(
            {
                "slug": slug,
                "measures": measures,
                "seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "pages": pages,
                "bytes": len(data),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "heap_peak_mb": round(heap / 2**20) if heap else None,
            }
        )
    )


def _pages(data: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True)
        except FileNotFoundError:
            return -1
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="leipzig,100,1000")
    parser.add_argument("--variant", default="pdf/ua-1", help="pdf/ua-1 (default) or plain")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    variant = "" if args.variant == "plain" else args.variant

    if args.child:
        _setup(args.var_dir)
        child(args.child, variant, args.tracemalloc)
        return

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    with tempfile.TemporaryDirectory(prefix="planwerk-bench-") as var_dir:
        _setup(var_dir)
        started = time.perf_counter()
        slugs = build(cases)
        print(f"built {len(cases)} plans in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows = []
        for case in cases:
            command = [sys.executable, __file__, "--child", slugs[case], "--var-dir", var_dir]
            command += ["--variant", args.variant]
            if args.tracemalloc:
                command.append("--tracemalloc")
            result = subprocess.run(command, capture_output=True, text=True, check=True)
            row = json.loads(result.stdout.strip().splitlines()[-1])
            row["label"] = CASES[case]["label"]
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)

    load = os.getloadavg()[0]
    print(
        f"\n{platform.node() or 'machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, variant {args.variant}, load average {load:.1f}\n"
    )
    print(
        "| plan | measures | pages | PDF size | wall time | CPU time | peak RSS |"
        + (" heap peak |" if args.tracemalloc else "")
    )
    print("|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.tracemalloc else ""))
    for r in rows:
        line = (
            f"| {r['label']} | {r['measures']} | {r['pages']} | {r['bytes'] / 2**20:.1f} MB "
            f"| {r['seconds']:.1f} s | {r['cpu_seconds']:.1f} s | {r['max_rss_mb']} MB |"
        )
        if args.tracemalloc:
            line += f" {r['heap_peak_mb']} MB |"
        print(line)


if __name__ == "__main__":
    main()

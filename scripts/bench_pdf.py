#!/usr/bin/env python
"""Benchmark the PDF export: render time, pages, size and peak memory, against Chromium.

    python scripts/bench_pdf.py                       # Leipzig, 100 and 1,000 measures
    python scripts/bench_pdf.py --cases leipzig,100   # a subset
    python scripts/bench_pdf.py --variant plain       # untagged PDF instead of PDF/UA-1
    python scripts/bench_pdf.py --tracemalloc         # also Python heap peak (much slower)

Loads the Leipzig demo data (``manage.py load_demo_data``) and generates the large plans in a
throw-away SQLite database (its own var/ directory), then renders each one in a fresh child
process, so the peak RSS (``ru_maxrss``) belongs to that render alone. Figures per plan:

- cold: the first document of a new worker process (fonts, hyphenation dictionary);
- warm: the same document rendered again in that process, bypassing the cache (a worker
  that has rendered before, as in production);
- cached: the document served by ``documents.services.get_or_render`` from the cache;
- Chromium: headless Chromium printing the same HTML (same stylesheet and fonts, as files)
  in the same run; skipped with a note if no Chromium is found.

Prints a Markdown table for docs/benchmarks.md.
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


def child(slug: str, variant: str, use_tracemalloc: bool, html_out: str) -> None:
    from actionplan.models import Measure, Plan
    from documents import rendering, services

    plan = Plan.objects.get(slug=slug)
    measures = Measure.objects.filter(field__plan=plan).count()
    request = services.DocumentRequest.build(plan, variant=variant)
    if html_out:
        Path(html_out).write_text(rendering.break_long_words(request.html()), encoding="utf-8")
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    cold = time.perf_counter()
    request.render()
    cold = time.perf_counter() - cold
    wall, cpu, kids = time.perf_counter(), time.process_time(), _children_cpu()
    data = request.render()
    # CPU of this process and of the chapter processes (documents.chapters) it waited for
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu + _children_cpu() - kids
    services.get_or_render(request)  # fills the cache
    cached = time.perf_counter()
    services.get_or_render(request)
    cached = time.perf_counter() - cached
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
                "cold_seconds": round(cold, 2),
                "cached_ms": round(cached * 1000, 1),
                "seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "pages": pages,
                "bytes": len(data),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                # the largest chapter or assembly process (0: all in one process)
                "child_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                ),
                "heap_peak_mb": round(heap / 2**20) if heap else None,
            }
        )
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def chromium_binary() -> str | None:
    import shutil

    return os.environ.get("PLANWERK_CHROMIUM") or shutil.which("chromium")


def chromium_print(html_path: Path) -> dict | None:
    """Headless Chromium printing the same HTML, with the stylesheet and fonts beside it."""
    binary = chromium_binary()
    if not binary:
        return None
    static = html_path.parent / "documents"
    if not static.exists():
        static.symlink_to(ROOT / "static" / "documents")
    out = html_path.with_suffix(".chromium.pdf")
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    command += [f"--print-to-pdf={out}", html_path.as_uri()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, timeout=900, check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the Chromium processes that were reaped (browser, renderer, GPU helpers).
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data = out.read_bytes()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "pages": _pages(data),
        "bytes": len(data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="leipzig,100,1000")
    parser.add_argument("--variant", default="pdf/ua-1", help="pdf/ua-1 (default) or plain")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    parser.add_argument("--html-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    variant = "" if args.variant == "plain" else args.variant

    if args.child:
        _setup(args.var_dir)
        child(args.child, variant, args.tracemalloc, args.html_out)
        return

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    with tempfile.TemporaryDirectory(prefix="planwerk-bench-") as var_dir:
        _setup(var_dir)
        started = time.perf_counter()
        slugs = build(cases)
        print(f"built {len(cases)} plans in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows = []
        for case in cases:
            html_path = Path(var_dir) / f"{case}.html"
            command = [sys.executable, __file__, "--child", slugs[case], "--var-dir", var_dir]
            command += ["--html-out", str(html_path)]
            command += ["--variant", args.variant]
            if args.tracemalloc:
                command.append("--tracemalloc")
            result = subprocess.run(command, capture_output=True, text=True, check=True)
            row = json.loads(result.stdout.strip().splitlines()[-1])
            row["label"] = CASES[case]["label"]
            row["chromium"] = chromium_print(html_path)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)

    load = os.getloadavg()
    print(
        f"\n{platform.node() or 'machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, variant {args.variant}, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n"
    )
    if not chromium_binary():
        print("Chromium not found (PLANWERK_CHROMIUM or chromium on PATH): no comparison.\n")
    print(
        "| plan | measures | pages | PDF size | cold | warm | warm CPU | cached "
        "| peak RSS worker / largest child | Chromium wall / CPU (pages) "
        "| warm ÷ Chromium wall / CPU |" + (" heap peak |" if args.tracemalloc else "")
    )
    print(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        + ("---:|" if args.tracemalloc else "")
    )
    for r in rows:
        chromium = r["chromium"]
        line = (
            f"| {r['label']} | {r['measures']} | {r['pages']} | {r['bytes'] / 2**20:.1f} MB "
            f"| {r['cold_seconds']:.2f} s | {r['seconds']:.2f} s | {r['cpu_seconds']:.2f} s "
            f"| {r['cached_ms']:.1f} ms | {r['max_rss_mb']} / {r['child_rss_mb']} MB "
        )
        if chromium:
            line += (
                f"| {chromium['seconds']:.2f} s / {chromium['cpu_seconds']:.2f} s "
                f"({chromium['pages']}) | {r['seconds'] / chromium['seconds']:.1f}× / "
                f"{r['cpu_seconds'] / max(chromium['cpu_seconds'], 0.01):.1f}× |"
            )
        else:
            line += "| – | – |"
        if args.tracemalloc:
            line += f" {r['heap_peak_mb']} MB |"
        print(line)


if __name__ == "__main__":
    main()

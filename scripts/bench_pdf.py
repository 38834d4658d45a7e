#!/usr/bin/env python
"""Benchmark the PDF export: render time, pages, size and peak memory, against Chromium.

    python scripts/bench_pdf.py                        # the issue-22 cases (below)
    python scripts/bench_pdf.py --cases leipzig        # Leipzig only (--runs 5 alternating)
    python scripts/bench_pdf.py --cases leipzig --profile   # + where the pipeline's time goes
    python scripts/bench_pdf.py --cases 100,1000       # fresh renders, one process each
    python scripts/bench_pdf.py --cases 1000-edit      # 1,000 measures after one measure's edit
    python scripts/bench_pdf.py --cases 1000-workers --workers 4   # PostgreSQL + task workers
    python scripts/bench_pdf.py --cases 100-edit --chapter-min-measures 10  # quick try-out
    python scripts/bench_pdf.py --variant plain        # untagged PDF instead of PDF/UA-1
    python scripts/bench_pdf.py --tracemalloc          # also Python heap peak (much slower)

Cases (default ``leipzig,100,1000-edit,1000-workers``):

- ``leipzig``: the real demo data (``manage.py load_demo_data``). In one child process: a
  cold render, then ``--runs`` rounds (order rotated each round) of the pipeline
  (``DocumentRequest.build(plan).render()``: context, templates, ``break_long_words``,
  WeasyPrint) against plain WeasyPrint on the same print HTML (``request.html()`` after
  ``rendering.break_long_words``, same base URL, fetcher and warm font configuration),
  untagged and with the pipeline's ``pdf_variant``; medians of wall and CPU time. Also the
  pipeline's own steps (``request.html()``, ``break_long_words``) timed alone.
- ``100``, ``1000``: a generated plan rendered fresh in a child process: cold (first document
  of the process), warm (the same again), cached (``get_or_render`` from the cache).
- ``1000-edit``: the 1,000-measure plan through ``services.get_or_render`` once (fills the
  caches), then one measure's description changed (saved through the model, then
  ``actionplan.signals.plan_touch``), then ``get_or_render(DocumentRequest.build(plan))``
  timed, with the WeasyPrint renders it took counted (in the process and in chapter
  processes, ``scripts/pdfbench_counter.py``) and the edit looked for in the new PDF.
- ``1000-workers``: on PostgreSQL (a throw-away database on ``--pg-host``:``--pg-port``, user
  postgres, dropped at the end): ``--workers`` ``manage.py task_worker`` processes sharing one
  ``PLANWERK_VAR_DIR``, warmed by one small export each, then the time from
  ``services.export_request`` to the ``PdfExport``'s status ``done`` (polled every 0.1 s);
  CPU of the workers and their children; peak RSS (``VmHWM``) of every worker, read before it
  is stopped, and of every child process of theirs seen while they ran (sampled).

"Fresh" means no cached document or chapter: before each fresh render the Django cache and
the rows of the ``documents`` app's models other than ``PdfExport`` are cleared, and the
number of WeasyPrint renders is counted, so a render served from a cache shows. SQLite cases
run in a throw-away database of their own var/ directory, each in a fresh child process, so
its peak RSS (``ru_maxrss``) belongs to that case. Chromium: ``chromium --headless
--print-to-pdf`` with the same HTML (stylesheet and fonts as files), start-up included, in the
same run; skipped with a note if no Chromium is found (``PLANWERK_CHROMIUM``).

Prints Markdown tables for docs/benchmarks.md.
"""

import argparse
import io
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "leipzig": {"label": "Leipzig 2011 (5 fields, 10 measures)", "plan": "leipzig"},
    "100": {"label": "generated, 100 measures", "plan": "100"},
    "1000": {"label": "generated, 1,000 measures", "plan": "1000"},
    "1000-edit": {"label": "generated, 1,000 measures, after one edit", "plan": "1000"},
    "1000-workers": {"label": "generated, 1,000 measures, task workers", "plan": None},
    # small versions of the two, to try the script out
    "100-edit": {"label": "generated, 100 measures, after one edit", "plan": "100"},
    "100-workers": {"label": "generated, 100 measures, task workers", "plan": None},
}
PLANS = {
    "100": {"fields": 5, "measures_per_field": 20},
    "1000": {"fields": 10, "measures_per_field": 100},
    "warm": {"fields": 1, "measures_per_field": 2},
}
DEFAULT_CASES = "leipzig,100,1000-edit,1000-workers"
EDIT_MARK = "Benchmarkänderung"


# --- set-up ---------------------------------------------------------------------------------


def _setup(var_dir: str, database_url: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("PLANWERK_ENV", "development")
    os.environ["PLANWERK_VAR_DIR"] = var_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(plans: list[str]) -> dict[str, str]:
    """Migrate and create the plans; returns their slugs."""
    from django.core.management import call_command

    from actionplan.models import Plan
    from actionplan.signals import plan_touch
    from tests.factories import build_plan

    call_command("migrate", verbosity=0)
    slugs = {}
    for name in plans:
        if name == "leipzig":
            # The real demo data (fixtures/leipzig.json), as a coordinator would export it.
            call_command("load_demo_data", stdout=io.StringIO())
            plan = Plan.objects.get(slug="leipzig-2011")
        else:
            spec = PLANS[name.split("-")[0]]
            plan = build_plan(**spec, steps_per_measure=3, slug=f"bench-{name}")
        plan_touch(plan)
        slugs[name] = plan.slug
    return slugs


def forget_rendered() -> None:
    """No cached document or chapter left: the Django cache and the rows of the documents
    app's models other than ``PdfExport`` (a chapter cache there) of this throw-away
    database."""
    from django.apps import apps
    from django.core.cache import cache

    from documents.models import PdfExport

    cache.clear()
    for model in apps.get_app_config("documents").get_models():
        if model is not PdfExport and not model._meta.proxy:
            model.objects.all().delete()


# --- measuring ------------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Timer:
    """Wall and CPU time (this process and the child processes it waited for)."""

    def __enter__(self):
        self._wall = time.perf_counter()
        self._cpu = time.process_time() + _children_cpu()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() + _children_cpu() - self._cpu
        return False


def _median(values) -> float:
    return round(statistics.median(values), 3)


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


def _pdf_text(data: bytes) -> str | None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            out = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True)
        except FileNotFoundError:
            return None
    return out.stdout


def _rss_mb() -> dict:
    """Peak RSS of this process and of its largest waited-for child. Taken before ``pdfinfo``
    or ``pdftotext`` run: a forked child's ``ru_maxrss`` starts at its parent's RSS."""
    return {
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # the largest chapter or assembly process (0: all in one process)
        "child_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


class Renders:
    """WeasyPrint renders counted by ``scripts.pdfbench_counter`` since the last ``take``."""

    def __init__(self, path: Path):
        from scripts import pdfbench_counter

        self.path = str(path)
        self.counter = pdfbench_counter
        pdfbench_counter.install(self.path)
        self.seen = {"process": 0, "child": 0}

    def take(self) -> int:
        now = self.counter.count(self.path)
        new = sum(now.values()) - sum(self.seen.values())
        self.seen = now
        return new


# --- child processes (SQLite) ---------------------------------------------------------------


def child_leipzig(slug, variant, runs, html_out, profile, counter_path) -> dict:
    """Pipeline against plain WeasyPrint on the same HTML, alternating, in one process."""
    from weasyprint import HTML

    from actionplan.models import Measure, Plan
    from documents import rendering, services

    renders = Renders(counter_path)
    plan = Plan.objects.get(slug=slug)
    measures = Measure.objects.filter(field__plan=plan).count()
    request = services.DocumentRequest.build(plan, variant=variant)
    html = rendering.break_long_words(request.html())
    Path(html_out).write_text(html, encoding="utf-8")

    def pipeline():
        return services.DocumentRequest.build(plan, variant=variant).render()

    def plain(pdf_variant):
        options = {"pdf_variant": pdf_variant} if pdf_variant else {}
        return HTML(
            string=html,
            base_url=rendering.STATIC_ORIGIN,
            url_fetcher=rendering.StaticFilesURLFetcher(),
        ).write_pdf(font_config=rendering.font_config(), **options)

    forget_rendered()
    renders.take()
    with Timer() as cold:
        data = pipeline()
    cold_renders = renders.take()
    contenders = {
        "pipeline": pipeline,
        "weasyprint_plain": lambda: plain(""),
        "weasyprint_variant": lambda: plain(variant),
    }
    times = {name: {"wall": [], "cpu": []} for name in contenders}
    pipeline_renders = []
    names = list(contenders)
    for round_ in range(runs):
        order = names[round_ % 3 :] + names[: round_ % 3]
        for name in order:
            forget_rendered()
            renders.take()
            with Timer() as t:
                contenders[name]()
            if name == "pipeline":
                pipeline_renders.append(renders.take())
            times[name]["wall"].append(t.wall)
            times[name]["cpu"].append(t.cpu)
    # The pipeline's own steps, alone (context + templates; the long-word pass).
    steps = {"html": [], "break_long_words": []}
    for _ in range(runs):
        with Timer() as t:
            raw = services.DocumentRequest.build(plan, variant=variant).html()
        steps["html"].append(t.cpu)
        with Timer() as t:
            rendering.break_long_words(raw)
        steps["break_long_words"].append(t.cpu)
    services.get_or_render(request)  # fills the cache
    with Timer() as cached:
        services.get_or_render(request)
    rss = _rss_mb()
    result = {
        "slug": slug,
        "measures": measures,
        "runs": runs,
        "cold_seconds": round(cold.wall, 2),
        "cold_renders": cold_renders,
        "pipeline_renders": pipeline_renders,
        "cached_ms": round(cached.wall * 1000, 1),
        "pages": _pages(data),
        "bytes": len(data),
        "html_chars": len(html),
        **{
            f"{name}_{kind}": _median(values[kind])
            for name, values in times.items()
            for kind in ("wall", "cpu")
        },
        **{
            f"{name}_all_cpu": [round(v, 2) for v in values["cpu"]]
            for name, values in times.items()
        },
        **{f"step_{name}_cpu": _median(values) for name, values in steps.items()},
        **rss,
    }
    if profile:
        result["profile"] = profile_pipeline(plan, variant)
    return result


def profile_pipeline(plan, variant) -> str:
    """cProfile of one pipeline render (warm process): the top entries by cumulative time,
    then the project's own functions (outside WeasyPrint) by cumulative time."""
    import cProfile
    import pstats

    from documents import services

    forget_rendered()
    profiler = cProfile.Profile()
    profiler.enable()
    services.DocumentRequest.build(plan, variant=variant).render()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(45)
    out.write(
        "\n--- project code (documents, actionplan, translations, indicators, templates) ---\n"
    )
    stats.print_stats(r"/work/[^/]+/(documents|actionplan|translations|indicators|access)/", 40)
    out.write("\n--- Django templates ---\n")
    stats.print_stats(r"django/template/", 15)
    return out.getvalue()


def child_fresh(slug, variant, use_tracemalloc, html_out, counter_path) -> dict:
    from actionplan.models import Measure, Plan
    from documents import rendering, services

    renders = Renders(counter_path)
    plan = Plan.objects.get(slug=slug)
    measures = Measure.objects.filter(field__plan=plan).count()
    request = services.DocumentRequest.build(plan, variant=variant)
    Path(html_out).write_text(rendering.break_long_words(request.html()), encoding="utf-8")
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    forget_rendered()
    renders.take()
    with Timer() as cold:
        request.render()
    cold_renders = renders.take()
    forget_rendered()
    with Timer() as warm:
        data = request.render()
    warm_renders = renders.take()
    services.get_or_render(request)  # fills the cache
    with Timer() as cached:
        services.get_or_render(request)
    heap = None
    if use_tracemalloc:
        heap = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss = _rss_mb()
    return {
        "slug": slug,
        "measures": measures,
        "cold_seconds": round(cold.wall, 2),
        "cold_cpu": round(cold.cpu, 2),
        "cold_renders": cold_renders,
        "cached_ms": round(cached.wall * 1000, 1),
        "seconds": round(warm.wall, 2),
        "cpu_seconds": round(warm.cpu, 2),
        "renders": warm_renders,
        "pages": _pages(data),
        "bytes": len(data),
        "heap_peak_mb": round(heap / 2**20) if heap else None,
        **rss,
    }


def child_edit(slug, variant, html_out, counter_path) -> dict:
    """The whole document once (caches filled), one measure's description changed, again."""
    from actionplan.models import Measure, Plan
    from actionplan.signals import plan_touch
    from documents import rendering, services

    renders = Renders(counter_path)
    plan = Plan.objects.get(slug=slug)
    measures = list(
        Measure.objects.filter(field__plan=plan).order_by("field__position", "position")
    )
    forget_rendered()
    renders.take()
    with Timer() as first:
        before = services.get_or_render(services.DocumentRequest.build(plan, variant=variant))
    first_renders = renders.take()

    measure = measures[len(measures) // 2]  # a measure in the middle of the plan
    measure.description = f"{measure.description}\n\n{EDIT_MARK} {time.time():.0f}."
    measure.save()
    plan_touch(plan)
    renders.take()
    with Timer() as edit:
        request = services.DocumentRequest.build(plan, variant=variant)
        data = services.get_or_render(request)
    edit_renders = renders.take()
    rss = _rss_mb()
    text = _pdf_text(data)
    Path(html_out).write_text(rendering.break_long_words(request.html()), encoding="utf-8")
    return {
        "slug": slug,
        "measures": len(measures),
        "first_seconds": round(first.wall, 2),
        "first_cpu": round(first.cpu, 2),
        "first_renders": first_renders,
        "seconds": round(edit.wall, 2),
        "cpu_seconds": round(edit.cpu, 2),
        "renders": edit_renders,
        "edit_in_pdf": None if text is None else EDIT_MARK in text,
        "same_bytes_as_before": data == before,
        "pages": _pages(data),
        "pages_before": _pages(before),
        "bytes": len(data),
        **rss,
    }


# --- 1,000 measures on PostgreSQL with task workers -------------------------------------------


def child_pg_build(size: str, workers: int) -> dict:
    names = [size] + [f"warm-{i}" for i in range(workers)]
    return build(names)


def child_pg_export(
    size: str, slugs: dict, variant: str, worker_pids: list[int], html_out: str
) -> dict:
    """Warm the workers, then time one export from ``export_request`` to ``done``."""
    from django_tasks_db.models import DBTaskResult

    from actionplan.models import Plan
    from documents import rendering, services
    from documents.models import PdfExport

    def wait(exports, timeout):
        pending = {e.pk for e in exports}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            # done, or ended otherwise (any state between counts as still working)
            ended = PdfExport.objects.filter(
                pk__in=pending,
                status__in=[
                    PdfExport.Status.DONE,
                    PdfExport.Status.FAILED,
                    PdfExport.Status.CANCELLED,
                ],
            )
            for pk, status, error in ended.values_list("pk", "status", "error"):
                if status != PdfExport.Status.DONE:
                    raise RuntimeError(f"export {pk} ended {status}: {error}")
                pending.discard(pk)
            time.sleep(0.1)
        if pending:
            raise RuntimeError(f"exports not done after {timeout} s: {pending}")

    warm_plans = [Plan.objects.get(slug=slug) for name, slug in slugs.items() if name != size]
    started = time.perf_counter()
    wait(
        [
            services.export_request(services.DocumentRequest.build(p, variant=variant))
            for p in warm_plans
        ],
        600,
    )
    warm_seconds = time.perf_counter() - started
    warm_by_worker = _jobs_by_worker(DBTaskResult.objects.all())

    plan = Plan.objects.get(slug=slugs[size])
    since = time.time()
    cpu_before = _proc_cpu(worker_pids)
    with Timer() as t:
        export = services.export_request(services.DocumentRequest.build(plan, variant=variant))
        wait([export], 3600)
    cpu = _proc_cpu(worker_pids) - cpu_before
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        data = handle.read()
    jobs = DBTaskResult.objects.filter(enqueued_at__gte=datetime.fromtimestamp(since, tz=UTC))
    by_worker = _jobs_by_worker(jobs)
    request = services.DocumentRequest.build(plan, variant=variant)
    Path(html_out).write_text(rendering.break_long_words(request.html()), encoding="utf-8")
    return {
        "slug": plan.slug,
        "measures": request.measure_count(),
        "warm_seconds": round(warm_seconds, 2),
        "seconds": round(t.wall, 2),
        "cpu_seconds": round(cpu, 2),
        "jobs": jobs.count(),
        "jobs_by_worker": by_worker,
        "warm_jobs_by_worker": warm_by_worker,
        "pages": _pages(data),
        "bytes": len(data),
    }


def _jobs_by_worker(jobs) -> dict[str, int]:
    """How many of these task jobs each worker ran (a retried job counts for every worker)."""
    by_worker: dict[str, int] = {}
    for ids in jobs.values_list("worker_ids", flat=True):
        for worker in ids:
            by_worker[worker] = by_worker.get(worker, 0) + 1
    return dict(sorted(by_worker.items()))


def _proc_cpu(pids) -> float:
    """CPU seconds of these processes and of their children they waited for (/proc/PID/stat:
    utime, stime, cutime, cstime)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += sum(int(v) for v in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def _vm_hwm_mb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _descendants(pids) -> dict[int, int]:
    """Every living descendant of ``pids``: {pid: the pid of ``pids`` it descends from}."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = {}
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor is not None and ancestor > 1:
            if ancestor in pids:
                found[pid] = ancestor
                break
            ancestor = parents.get(ancestor)
    return found


class RssSampler(threading.Thread):
    """Peak RSS (``VmHWM``) of the workers' child processes (chapter renderers), sampled."""

    def __init__(self, workers: list[int], every: float = 0.5):
        super().__init__(daemon=True)
        self.workers = set(workers)
        self.every = every
        self.peaks: dict[int, tuple[int, int]] = {}  # child pid: (worker pid, VmHWM MB)
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid, worker in _descendants(self.workers).items():
                hwm = _vm_hwm_mb(pid)
                if hwm is not None and hwm > self.peaks.get(pid, (0, 0))[1]:
                    self.peaks[pid] = (worker, hwm)
            self.stop.wait(self.every)


def run_workers_case(case: str, args, variant: str) -> dict:
    """The throw-away PostgreSQL database, N task workers, one export, then everything gone."""
    import psycopg

    server = f"postgres://postgres@{args.pg_host}:{args.pg_port}"
    dbname = f"planwerk_bench_{os.getpid()}"
    database_url = f"{server}/{dbname}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    workers: list[subprocess.Popen] = []
    sampler = None
    try:
        with tempfile.TemporaryDirectory(prefix="planwerk-bench-pg-") as var_dir:
            env = {
                **os.environ,
                "PLANWERK_ENV": "development",
                "PLANWERK_VAR_DIR": var_dir,
                "DATABASE_URL": database_url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
            started = time.perf_counter()
            size = case.split("-")[0]
            build_args = ["--pg-build", "--case", size, "--workers", str(args.workers)]
            slugs = _run_child(build_args, var_dir, env)
            _log(f"PostgreSQL {dbname}: built in {time.perf_counter() - started:.0f} s")
            for i in range(args.workers):
                log = open(Path(var_dir) / f"worker-{i}.log", "w")  # noqa: SIM115
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "manage.py", "task_worker", "--worker-id", f"bench-{i}"],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            pids = [w.pid for w in workers]
            sampler = RssSampler(pids)
            sampler.start()
            html_path = Path(var_dir) / f"{case}.html"
            row = _run_child(
                [
                    "--pg-export",
                    json.dumps(slugs),
                    "--case",
                    size,
                    "--worker-pids",
                    ",".join(map(str, pids)),
                    "--html-out",
                    str(html_path),
                    "--variant",
                    args.variant,
                ],
                var_dir,
                env,
            )
            sampler.stop.set()
            sampler.join()
            row["worker_rss_mb"] = [_vm_hwm_mb(pid) for pid in pids]  # before they stop
            children = list(sampler.peaks.values())
            row["worker_children_seen"] = len(children)
            row["worker_child_rss_mb"] = max((hwm for _, hwm in children), default=0)
            # in the order they were first seen: with today's documents.chapters two chapter
            # processes, then the process that joins the parts, per document
            row["worker_children_rss_mb"] = [hwm for _, hwm in children]
            _stop(workers)
            workers = []
            row["chromium"] = chromium_print(html_path)
            row["label"] = CASES[case]["label"]
            row["workers"] = args.workers
            return row
    finally:
        if sampler is not None:
            sampler.stop.set()
        _stop(workers)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        _log(f"PostgreSQL {dbname}: dropped")


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM (a worker finishes its job and signs off), SIGKILL after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_child(extra: list[str], var_dir: str, env: dict | None = None) -> dict:
    command = [sys.executable, __file__, *extra, "--var-dir", var_dir]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(f"child {extra[:2]} failed ({result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- Chromium -------------------------------------------------------------------------------


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


# --- report ---------------------------------------------------------------------------------


def _ratio(a, b) -> str:
    return f"{a / b:.2f}×" if b else "–"


def _chromium_cells(seconds, cpu, chromium) -> str:
    if not chromium:
        return "| – | – |"
    return (
        f"| {chromium['seconds']:.2f} s / {chromium['cpu_seconds']:.2f} s ({chromium['pages']}) "
        f"| {_ratio(seconds, chromium['seconds'])} / "
        f"{_ratio(cpu, max(chromium['cpu_seconds'], 0.01))} |"
    )


def report(rows: dict, args) -> None:
    load = os.getloadavg()
    print(
        f"\n{platform.node() or 'machine'}: {os.cpu_count()} cores (os.cpu_count()), Python "
        f"{platform.python_version()}, variant {args.variant}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n"
    )
    if not chromium_binary():
        print("Chromium not found (PLANWERK_CHROMIUM or chromium on PATH): no comparison.\n")
    if "leipzig" in rows:
        r = rows["leipzig"]
        chromium = r["chromium"] or {}
        print(
            f"Leipzig, warm process, medians of {r['runs']} alternating runs each "
            f"(cold first render {r['cold_seconds']:.2f} s, cached {r['cached_ms']:.1f} ms, "
            f"{r['pages']} pages, peak RSS {r['max_rss_mb']} MB; WeasyPrint renders per "
            f"pipeline run: {r['pipeline_renders']}):\n"
        )
        print("| renderer | wall | CPU | pipeline ÷ this, wall / CPU |")
        print("|---|---:|---:|---:|")
        pw, pc = r["pipeline_wall"], r["pipeline_cpu"]
        entries = [
            ("pipeline (`DocumentRequest.build(plan).render()`)", pw, pc),
            (
                "plain WeasyPrint, same HTML, same `pdf_variant`",
                r["weasyprint_variant_wall"],
                r["weasyprint_variant_cpu"],
            ),
            (
                "plain WeasyPrint, same HTML, untagged",
                r["weasyprint_plain_wall"],
                r["weasyprint_plain_cpu"],
            ),
        ]
        if chromium:
            entries.append(
                (
                    "headless Chromium, same HTML, start-up included",
                    chromium["seconds"],
                    chromium["cpu_seconds"],
                )
            )
        for label, wall, cpu in entries:
            print(
                f"| {label} | {wall:.2f} s | {cpu:.2f} s | {_ratio(pw, wall)} / {_ratio(pc, cpu)} |"
            )
        print(
            f"\nPipeline's own steps (CPU, medians): `request.html()` (context + templates) "
            f"{r['step_html_cpu'] * 1000:.0f} ms, `break_long_words` "
            f"{r['step_break_long_words_cpu'] * 1000:.1f} ms ({r['html_chars']:,} characters of "
            f"HTML). CPU per run: "
            + "; ".join(
                f"{name} {r[f'{name}_all_cpu']}"
                for name in ("pipeline", "weasyprint_variant", "weasyprint_plain")
            )
            + "\n"
        )
    fresh = [rows[c] for c in ("100", "1000") if c in rows]
    if fresh:
        print(
            "| plan | measures | pages | PDF size | cold | warm | warm CPU | renders | cached "
            "| peak RSS process / largest child | Chromium wall / CPU (pages) "
            "| warm ÷ Chromium wall / CPU |" + (" heap peak |" if args.tracemalloc else "")
        )
        print(
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            + ("---:|" if args.tracemalloc else "")
        )
        for r in fresh:
            line = (
                f"| {r['label']} | {r['measures']} | {r['pages']} | {r['bytes'] / 2**20:.1f} MB "
                f"| {r['cold_seconds']:.2f} s | {r['seconds']:.2f} s | {r['cpu_seconds']:.2f} s "
                f"| {r['renders']} | {r['cached_ms']:.1f} ms "
                f"| {r['max_rss_mb']} / {r['child_rss_mb']} MB "
            )
            line += _chromium_cells(r["seconds"], r["cpu_seconds"], r["chromium"])
            if args.tracemalloc:
                line += f" {r['heap_peak_mb']} MB |"
            print(line)
        print()
    for r in [rows[c] for c in rows if c.endswith("-edit")]:
        found = {True: "yes", False: "NO"}.get(r["edit_in_pdf"], "?")
        print(
            "| plan | first render (fills caches) wall / CPU, renders | after one edit: wall "
            "| CPU | WeasyPrint renders | edit in PDF | pages | peak RSS process / largest child "
            "| Chromium full render wall / CPU (pages) | edit ÷ Chromium wall / CPU |"
        )
        print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        print(
            f"| {r['label']} | {r['first_seconds']:.2f} s / {r['first_cpu']:.2f} s, "
            f"{r['first_renders']} | {r['seconds']:.2f} s | {r['cpu_seconds']:.2f} s "
            f"| {r['renders']} | {found} "
            f"| {r['pages']} | {r['max_rss_mb']} / {r['child_rss_mb']} MB "
            + _chromium_cells(r["seconds"], r["cpu_seconds"], r["chromium"])
        )
        print()
    for r in [rows[c] for c in rows if c.endswith("-workers")]:
        print(
            f"Task workers: {r['workers']} × `manage.py task_worker` on {os.cpu_count()} cores, "
            f"PostgreSQL; warm-up exports took {r['warm_seconds']:.1f} s (jobs by worker: "
            f"{r['warm_jobs_by_worker']}); jobs of the export by worker: {r['jobs_by_worker']}\n"
        )
        print(
            "| plan | workers | cores | export → done | CPU (workers + children) | pages "
            "| peak RSS per worker | largest worker child (sampled) "
            "| Chromium wall / CPU (pages) | export ÷ Chromium wall / CPU |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {r['label']} | {r['workers']} | {os.cpu_count()} | {r['seconds']:.2f} s "
            f"| {r['cpu_seconds']:.2f} s | {r['pages']} "
            f"| {' / '.join(str(v) for v in r['worker_rss_mb'])} MB "
            f"| {r['worker_child_rss_mb']} MB ({r['worker_children_seen']} seen) "
            + _chromium_cells(r["seconds"], r["cpu_seconds"], r["chromium"])
        )
        print()
    for name, r in rows.items():
        if r.get("profile"):
            print(f"cProfile of one pipeline render ({name}):\n\n```\n{r['profile']}\n```")


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--variant", default="pdf/ua-1", help="pdf/ua-1 (default) or plain")
    parser.add_argument("--runs", type=int, default=5, help="Leipzig: rounds of each contender")
    parser.add_argument("--workers", type=int, default=4, help="1000-workers: task workers")
    parser.add_argument("--profile", action="store_true", help="Leipzig: cProfile the pipeline")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--pg-host", default=os.environ.get("PLANWERK_PG_HOST", "127.0.0.1"))
    parser.add_argument("--pg-port", default=os.environ.get("PLANWERK_PG_PORT", "5432"))
    parser.add_argument("--json-out", help="also write the raw figures to this file")
    parser.add_argument(
        "--chapter-min-measures",
        type=int,
        help="SQLite cases: render plans with more measures than this by chapter "
        "(PLANWERK_PDF_CHAPTER_MIN_MEASURES), e.g. 10 to try 100-edit with chapters",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--pg-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pg-export", help=argparse.SUPPRESS)
    parser.add_argument("--worker-pids", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    parser.add_argument("--html-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    variant = "" if args.variant == "plain" else args.variant

    if args.pg_build or args.pg_export:
        _setup(args.var_dir, os.environ["DATABASE_URL"])
        if args.pg_build:
            result = child_pg_build(args.case, args.workers)
        else:
            pids = [int(p) for p in args.worker_pids.split(",")]
            slugs = json.loads(args.pg_export)
            result = child_pg_export(args.case, slugs, variant, pids, args.html_out)
            result.update(_rss_mb())
        print(json.dumps(result))
        return
    if args.child:
        _setup(args.var_dir)
        if args.chapter_min_measures is not None:
            from django.conf import settings

            settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = args.chapter_min_measures
        counter = Path(args.var_dir) / f"renders-{os.getpid()}.log"
        if args.case == "leipzig":
            result = child_leipzig(
                args.child, variant, args.runs, args.html_out, args.profile, counter
            )
        elif args.case.endswith("-edit"):
            result = child_edit(args.child, variant, args.html_out, counter)
        else:
            result = child_fresh(args.child, variant, args.tracemalloc, args.html_out, counter)
        print(json.dumps(result))
        return

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; known: {', '.join(CASES)}")
    rows = {}
    _log(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {os.getloadavg()}")
    sqlite_cases = [c for c in cases if CASES[c]["plan"]]
    if sqlite_cases:
        with tempfile.TemporaryDirectory(prefix="planwerk-bench-") as var_dir:
            _setup(var_dir)
            started = time.perf_counter()
            plans = list(dict.fromkeys(CASES[c]["plan"] for c in sqlite_cases))
            slugs = build(plans)
            _log(f"built {len(plans)} plans in {time.perf_counter() - started:.0f} s")
            for case in sqlite_cases:
                html_path = Path(var_dir) / f"{case}.html"
                extra = ["--child", slugs[CASES[case]["plan"]], "--case", case]
                extra += ["--html-out", str(html_path), "--variant", args.variant]
                extra += ["--runs", str(args.runs)]
                if args.tracemalloc:
                    extra.append("--tracemalloc")
                if args.profile:
                    extra.append("--profile")
                if args.chapter_min_measures is not None:
                    extra += ["--chapter-min-measures", str(args.chapter_min_measures)]
                row = _run_child(extra, var_dir)
                row["label"] = CASES[case]["label"]
                row["chromium"] = chromium_print(html_path)
                rows[case] = row
                _log(json.dumps({k: v for k, v in row.items() if k != "profile"}))
    for case in cases:
        if case.endswith("-workers"):
            rows[case] = run_workers_case(case, args, variant)
            _log(json.dumps(rows[case]))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    report(rows, args)


if __name__ == "__main__":
    main()

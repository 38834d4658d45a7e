"""Benchmark of the public plan pages (on demand, not a test).

    /work/main/.venv/bin/python scripts/bench_public.py [--runs 20] [--load-seconds 10]
    /work/main/.venv/bin/python scripts/bench_public.py --pages plan --no-load  # cold plan page

Builds a throw-away SQLite database (or uses --database-url, which must point at an EMPTY
database), loads the Leipzig demo plan (``load_demo_data`` where it exists, otherwise a generated
plan of the same shape: 5 fields, 10 measures) and a generated plan of 1,000 measures, then

1. times each public page in-process with Django's test client (server time, no network),
   and counts its queries;
2. starts gunicorn + whitenoise with production settings (DJANGO_DEBUG=0, collectstatic into
   a temporary STATIC_ROOT) on 127.0.0.1 and measures requests/s of the plan pages with wrk
   (or, without wrk, a bounded Python loop), against a static file of exactly the size of the
   Leipzig plan page served by the same server (whitenoise) in the same run;
3. writes the figures into docs/benchmarks.md under “## Öffentliche Seiten”.

``--pages`` (some of the pages) or ``--no-load`` (no server) run a part only; a part is
printed, never written into docs/benchmarks.md.

``--pages admin-list,admin-form`` (an extra part, not in the default run) times the admin of
measures the same way, signed in as a superuser (second-factor requirement off): the list of
measures filtered to the plan (``?field__plan__id__exact=…``, 100 rows a page) and the change
form of the plan's middle measure. The admin caches nothing of its own: “warm” is a repeated
request, “cold” one with the cache emptied before it (sessions, site-wide cached lists).

    PLANWERK_ENV=development .venv/bin/python scripts/bench_public.py --no-load \
        --pages admin-list,admin-form --runs 30

Load only ever goes to the loopback address and stops after --load-seconds.
"""

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Öffentliche Seiten"
PAGES = ("plan", "field", "measure", "timeline", "list (filtered)", "progress")
# An extra part, asked for by name only: the admin of measures, signed in as a superuser.
ADMIN_PAGES = ("admin-list", "admin-form")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--load-seconds", type=int, default=10, help="duration of the load run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--database-url", default="", help="an EMPTY database to use")
    parser.add_argument("--measures", type=int, default=1000, help="size of the large plan")
    parser.add_argument("--redis-url", default="", help="run the server with REDIS_URL set")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch docs/")
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"comma-separated pages to time in-process (of {', '.join(PAGES + ADMIN_PAGES)})",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    args = parser.parse_args()
    args.pages = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = set(args.pages) - set(PAGES) - set(ADMIN_PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    args.partial = args.no_load or args.pages != list(PAGES)
    return args


def setup_django(tmp: Path, database_url: str, redis_url: str = ""):
    os.environ["DJANGO_DEBUG"] = "0"
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
        os.environ["PLANWERK_CACHE_KEY_PREFIX"] = f"bench-{os.getpid()}"
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ["PLANWERK_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_STATIC_ROOT"] = str(tmp / "static")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def load_plans(measures: int):
    from django.core.management import call_command, get_commands

    from actionplan.models import Measure, Plan, ScheduleEntry
    from tests.factories import build_plan

    if "load_demo_data" in get_commands():
        call_command("load_demo_data", verbosity=0)
        leipzig = max(
            Plan.objects.published(), key=lambda p: Measure.objects.filter(field__plan=p).count()
        )
        leipzig_source = "load_demo_data (Leipzig, Mai 2011)"
    else:
        from tests.actionplan.public_data import build_rich_plan

        leipzig = build_rich_plan(slug="leipzig")
        leipzig_source = "generated Leipzig-shaped plan (5 fields × 2 measures)"
    per_field = max(1, measures // 20)
    big = build_plan(fields=20, measures_per_field=per_field, steps_per_measure=10, slug="gross")
    # build_plan labels every measure "II. Quartal 2011", which the schedule parser dates.
    assert not ScheduleEntry.objects.filter(measure__field__plan=big, start_date=None).exists()
    return [(leipzig, leipzig_source), (big, f"build_plan(20 × {per_field}, 10 steps)")]


def page_urls(plan) -> dict[str, str]:
    from django.urls import reverse

    from actionplan.models import Measure

    fields = list(plan.fields.order_by("position"))
    field = fields[len(fields) // 2]
    measures = list(Measure.objects.filter(field=field).order_by("position"))
    measure = measures[len(measures) // 2]
    # A search word and status of a real measure, so the filtered list is not empty.
    word = measure.steps.order_by("position").first().text.split()[0]
    listing = reverse("actionplan:measure_list", args=[plan.slug])
    return {
        "plan": plan.get_absolute_url(),
        "field": field.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "timeline": reverse("actionplan:plan_timeline", args=[plan.slug]),
        "list (filtered)": f"{listing}?q={quote(word)}&status={measure.status}&year=2011",
        "progress": reverse("progress:plan_dashboard", args=[plan.slug]),
    }


def admin_urls(plan) -> dict[str, str]:
    """The admin list of the plan's measures and the change form of its middle measure (the
    measure of ``page_urls``)."""
    from django.urls import reverse

    from actionplan.models import Measure

    fields = list(plan.fields.order_by("position"))
    field = fields[len(fields) // 2]
    measures = list(Measure.objects.filter(field=field).order_by("position"))
    measure = measures[len(measures) // 2]
    listing = reverse("admin:actionplan_measure_changelist")
    return {
        "admin-list": f"{listing}?field__plan__id__exact={plan.pk}",
        "admin-form": reverse("admin:actionplan_measure_change", args=[measure.pk]),
    }


def admin_client():
    """A test client signed in as a superuser (made once, without a usable password)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    client = Client()
    client.force_login(user)
    return client


def time_admin_pages(plan, runs: int, pages=ADMIN_PAGES) -> dict[str, dict]:
    from django.test import override_settings

    # a superuser must otherwise set up a second factor first (PLANWERK_2FA_REQUIRED)
    with override_settings(PLANWERK_2FA_REQUIRED=False):
        return time_pages(plan, runs, pages, client=admin_client(), urls=admin_urls(plan))


def _timed(client, url: str, runs: int, before=None) -> list[float]:
    timings = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return sorted(timings)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def time_pages(plan, runs: int, pages=PAGES, client=None, urls=None) -> dict[str, dict]:
    """Warm: the plan-wide fragments (overview table, timeline) come from the cache, as for
    every visitor after the first. Cold: the cache is emptied before each request, as for the
    first visitor after a change of the plan."""
    from django.core.cache import cache
    from django.test import Client

    client = client or Client()
    results = {}
    for name, url in (urls or page_urls(plan)).items():
        if name not in pages:
            continue
        cache.clear()
        cold_queries = _queries(client, url)
        cold = _timed(client, url, max(5, runs // 3), before=cache.clear)
        for _ in range(2):
            client.get(url)
        warm_queries = _queries(client, url)
        warm = _timed(client, url, runs)
        response = client.get(url)
        results[name] = {
            "median": statistics.median(warm),
            "p90": warm[int(len(warm) * 0.9) - 1],
            "cold": statistics.median(cold),
            "queries": f"{warm_queries} / {cold_queries}",
            "kb": len(response.content) / 1024,
        }
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(workers: int):
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def load_with_wrk(url: str, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = re.search(r"50%\s+([\d.]+\w+)", output).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "tool": "wrk",
        "rps": rps,
        "p50": latency,
        "p99": p99,
        "errors": (int(errors.group(1)) if errors else 0)
        + (int(timeouts.group(1)) if timeouts else 0),
    }


def load_with_python(url: str, seconds: int, connections: int) -> dict:
    deadline = time.monotonic() + seconds
    counts, errors, lock = [0], [0], threading.Lock()

    def worker():
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=10).read()
                with lock:
                    counts[0] += 1
            except OSError:
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return {
        "tool": "Python threads",
        "rps": counts[0] / elapsed,
        "p50": "–",
        "p99": "–",
        "errors": errors[0],
    }


SAME_SIZE_FILE = "bench-same-size.html"


def write_same_size_file(plan) -> int:
    """A static file as large as the plan page, for whitenoise to serve (it indexes STATIC_ROOT
    when the server starts)."""
    from django.conf import settings
    from django.test import Client

    size = len(Client().get(plan.get_absolute_url()).content)
    (Path(settings.STATIC_ROOT) / SAME_SIZE_FILE).write_bytes(b"x" * size)
    return size


def load_test(plans, args) -> list[dict]:
    size = write_same_size_file(plans[0][0])
    process, base = start_gunicorn(args.workers)
    try:
        from django.conf import settings
        from django.templatetags.static import static

        targets = [(f"plan page, {plan.slug}", plan.get_absolute_url()) for plan, _ in plans]
        targets.append(
            (
                f"static file, {size / 1024:.0f} KiB like the Leipzig page (whitenoise)",
                settings.STATIC_URL.rstrip("/") + "/" + SAME_SIZE_FILE,
            )
        )
        targets.append(("static CSS (whitenoise)", static("css/planwerk.css")))
        results = []
        for label, path in targets:
            runner = load_with_wrk if shutil.which("wrk") else load_with_python
            result = runner(base + path, args.load_seconds, args.connections)
            results.append({"label": label, **result})
        return results
    finally:
        process.terminate()
        process.wait(timeout=20)


def machine_info(database: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import django

    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}, "
        f"Django {django.get_version()}, database {database}"
    )


def load_average() -> str:
    try:
        return " / ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "?"


def render(plans, page_results, load_results, args, database, loads) -> str:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    lines = [
        SECTION,
        "",
        f"Gemessen am {today} mit `scripts/bench_public.py` auf {machine_info(database)}.",
        "",
        f"Last der Maschine (load average 1/5/15 min) zu Beginn {loads[0]}, am Ende {loads[1]}: "
        "auf der gemeinsamen Entwicklungsmaschine laufen gleichzeitig Tests anderer Zweige, "
        "die Zeiten sind daher eher zu hoch und schwanken; die Abfragezahlen sind exakt.",
        "",
        "Serverzeit: Django-Testclient im selben Prozess (ohne Netzwerk), DEBUG aus, "
        f"{'Redis' if args.redis_url else 'Dateicache'} wie im Betrieb, anonyme Aufrufe. "
        f"*Warm*: Median und 90. Perzentil über {args.runs} Aufrufe nach zwei Aufwärmaufrufen "
        "– die ganze Seite kommt aus dem Cache (`actionplan/public_cache.py`, Schlüssel "
        "`Plan.content_changed_at`, Sprache, URL, Vorlagen-/Code-Hash). "
        "*Kalt*: Median bei vor jedem Aufruf geleertem Cache, wie beim ersten Aufruf nach einer "
        "Änderung des Plans. Abfragen: SQL-Anweisungen eines Aufrufs, warm / kalt.",
        "",
    ]
    if set(args.pages) & set(ADMIN_PAGES):
        lines += [
            "*admin-list*, *admin-form*: Verwaltung, als Superuser angemeldet "
            "(Zwei-Faktor-Pflicht aus): die Liste der Maßnahmen nach dem Plan gefiltert "
            "(100 Zeilen je Seite) und das Formular der mittleren Maßnahme; die Verwaltung "
            "speichert nichts im Cache, *warm* ist hier ein wiederholter Aufruf.",
            "",
        ]
    for (plan, source), results in zip(plans, page_results, strict=True):
        from actionplan.models import Measure, Step

        measures = Measure.objects.filter(field__plan=plan).count()
        steps = Step.objects.filter(measure__field__plan=plan).count()
        lines += [
            f"### {plan.title} – {plan.fields.count()} Handlungsfelder, {measures} Maßnahmen, "
            f"{steps} Schritte",
            "",
            f"Quelle: {source}.",
            "",
            "| Seite | warm Median (ms) | warm p90 (ms) | kalt Median (ms) | Abfragen "
            "| HTML (KiB) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, r in results.items():
            lines.append(
                f"| {name} | {r['median']:.1f} | {r['p90']:.1f} | {r['cold']:.1f} | "
                f"{r['queries']} | {r['kb']:.0f} |"
            )
        lines.append("")
    if load_results:
        lines += load_section(plans, load_results, args)
    if "plan" in args.pages:
        lines += [
            f"Kalte Plan-Seite mit {args.measures} Maßnahmen: "
            f"**{page_results[-1]['plan']['cold']:.0f} ms** (Ziel ≤ 150 ms).",
            "",
        ]
    return "\n".join(lines)


def load_section(plans, load_results, args) -> list[str]:
    lines = [
        "### Last: gunicorn + whitenoise",
        "",
        f"`gunicorn config.wsgi` mit {args.workers} Sync-Workern, `DJANGO_DEBUG=0`, "
        f"Cache: {'Redis' if args.redis_url else 'Dateicache'}, "
        "Manifest-Static-Storage nach `collectstatic`; Lastgenerator auf 127.0.0.1 "
        f"mit {args.connections} Verbindungen für je {args.load_seconds} s "
        "(Plan-Seiten warm: ihr Cache ist nach dem ersten Aufruf gefüllt).",
        "",
        "| Ziel | Werkzeug | Anfragen/s | Latenz p50 | Latenz p99 | Fehler |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in load_results:
        lines.append(
            f"| {r['label']} | {r['tool']} | {r['rps']:.1f} | {r['p50']} | {r['p99']} | "
            f"{r['errors']} |"
        )
    lines.append("")
    leipzig, same_size = load_results[0], load_results[len(plans)]
    lines += [
        f"Leipzig-Plan-Seite / gleich große statische Datei: {leipzig['rps']:.1f} / "
        f"{same_size['rps']:.1f} Anfragen/s = **{100 * leipzig['rps'] / same_size['rps']:.0f} %** "
        "(Ziel ≥ 50 %).",
        "",
    ]
    return lines


def write_section(text: str):
    path = ROOT / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated, encoding="utf-8")
    return path


def main():
    args = parse_args()
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="planwerk-bench-") as tmp:
        setup_django(Path(tmp), args.database_url, args.redis_url)
        from django.db import connection

        database = connection.vendor
        if database == "postgresql":
            database = f"PostgreSQL {connection.cursor().connection.info.server_version // 10000}"
        elif database == "sqlite":
            import sqlite3

            database = f"SQLite {sqlite3.sqlite_version}"
        print("building plans …", flush=True)
        plans = load_plans(args.measures)
        page_results = []
        for plan, _source in plans:
            print(f"timing pages of {plan.slug} …", flush=True)
            results = time_pages(plan, args.runs, [p for p in args.pages if p in PAGES])
            admin_pages = [p for p in args.pages if p in ADMIN_PAGES]
            if admin_pages:
                results.update(time_admin_pages(plan, args.runs, admin_pages))
            page_results.append(results)
        load_results = []
        if not args.no_load:
            print("load test …", flush=True)
            load_results = load_test(plans, args)
        text = render(
            plans, page_results, load_results, args, database, (load_at_start, load_average())
        )
    print(text)
    if args.partial:
        print("(a part of the benchmark: not written to docs/benchmarks.md)")
    elif not args.no_write:
        print(f"written to {write_section(text)}")


if __name__ == "__main__":
    main()

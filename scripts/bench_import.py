"""Benchmark of the whole-plan workbook (issue 10): export and import time and peak memory.

Builds a generated plan of 1,000 measures and 10,000 steps in a fresh SQLite database, then
for XLSX and zipped CSV: exports the workbook, and imports it back (a real import, which
compares every row and writes nothing because nothing changed). Each measurement runs in its
own child process so that its peak RSS is its own. Targets: ≤ 20 s each way, ≤ 500 MB.

    PLANWERK_ENV=development .venv/bin/python scripts/bench_import.py
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("PLANWERK_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _child(step: str, database: str, path: str) -> None:
    _setup(database)
    from actionplan.models import Plan
    from imports import plan_workbook as wb

    plan = Plan.objects.get(slug="bench")
    started = time.perf_counter()
    if step.startswith("export"):
        content = (wb.plan_workbook_xlsx if step.endswith("xlsx") else wb.plan_workbook_csv_zip)(
            plan
        )
        Path(path).write_bytes(content)
        detail = {"bytes": len(content)}
    else:
        result = wb.plan_workbook_import(
            plan=plan,
            content=Path(path).read_bytes(),
            file_name=Path(path).name,
            acting_user=None,
            dry_run=False,
        )
        detail = {"changes": len(result.changes)}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"step": step, "seconds": round(seconds, 2), "peak_mb": round(peak_mb), **detail}
        )
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite3")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PLANWERK_ENV": "development"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        _setup(database)
        from tests.factories import build_plan

        started = time.perf_counter()
        build_plan(fields=10, measures_per_field=100, steps_per_measure=10, slug="bench")
        print(
            json.dumps({"step": "build plan", "seconds": round(time.perf_counter() - started, 2)})
        )
        for extension in ("xlsx", "zip"):
            path = str(Path(folder) / f"bench.{extension}")
            for step in (f"export {extension}", f"import {extension}"):
                output = subprocess.run(
                    [sys.executable, __file__, "--child", step, database, path],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                print(output.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
    else:
        main()

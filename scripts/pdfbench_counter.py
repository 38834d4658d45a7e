"""Counts WeasyPrint renders for ``scripts/bench_pdf.py``, in this process and in the chapter
processes ``documents.chapters`` spawns.

``install(path)`` wraps ``documents.rendering.write_pdf`` (renders in this process) and
``documents.rendering.write_pdf_in_worker`` (what a chapter process is handed: a spawned child
imports this module by name, so it must stay importable as ``scripts.pdfbench_counter``); each
render appends one line to ``path`` (``O_APPEND``: lines of several processes do not mix).
"""

import os

ENV = "PLANWERK_BENCH_RENDER_LOG"


def _log(where: str) -> None:
    path = os.environ.get(ENV)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{where} {os.getpid()}\n")


def write_pdf_in_worker(html: str, variant: str) -> bytes:
    """``rendering.write_pdf_in_worker``, counted (runs in a chapter process)."""
    from documents import rendering

    _log("child")
    return rendering.write_pdf(html, variant=variant)


def install(path: str) -> None:
    from documents import rendering

    os.environ[ENV] = path
    original = rendering.write_pdf

    def counting_write_pdf(*args, **kwargs):
        _log("process")
        return original(*args, **kwargs)

    rendering.write_pdf = counting_write_pdf
    rendering.write_pdf_in_worker = write_pdf_in_worker


def count(path: str) -> dict:
    """Renders logged so far: ``{"process": n, "child": m}``."""
    counts = {"process": 0, "child": 0}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                where = line.split(" ", 1)[0]
                counts[where] = counts.get(where, 0) + 1
    except FileNotFoundError:
        pass
    return counts

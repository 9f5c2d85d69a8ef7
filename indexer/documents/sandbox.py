"""Extraction in a child process with limits, so a hostile file costs one error.

The parent starts `python -m indexer.documents.sandbox`, writes a one-line JSON header
(file name, media type, limits, OCR wanted) and then the file's bytes to its stdin,
and reads one JSON answer from its stdout: {"extracted": ...} or {"error": "..."}.
The child first limits itself (RLIMIT_AS = limits.memory_bytes, RLIMIT_CPU =
limits.seconds, no core files) and only then imports the parsers. The parent waits
at most limits.seconds of wall-clock time, then kills the child's whole process group
(tesseract included). Whatever happens to the child - a timeout, the memory limit, a
crash - the caller gets InvalidInput("file", "<filename>: ..."), never a dead server.

A separate interpreter (rather than multiprocessing's fork) shares nothing with the
caller: no threads, locks, open database connections or the web app's memory.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from indexer.documents.models import Extracted
from indexer.errors import InvalidInput, Unavailable
from indexer.settings import DocumentLimits

log = logging.getLogger(__name__)
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
# The child gets only what finding programs, languages and tesseract's data needs: a
# parser has no business with the server's database address or mail password.
PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TESSDATA_PREFIX", "PYTHONPATH")
# Tesseract would start a thread per core; one page at a time is as fast on small
# images, and keeps one upload from taking every core of the server.
CHILD_ENVIRONMENT = {"OMP_THREAD_LIMIT": "1"}


def _environment(workdir: str) -> dict[str, str]:
    """The child's environment: the passed variables, this package importable, and
    temporary files (pytesseract's page images) in `workdir`, removed even after a kill."""
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), environment.get("PYTHONPATH")]))
    return {**environment, **CHILD_ENVIRONMENT, "TMPDIR": workdir}


def run_in_child(data: bytes, filename: str, media_type: str, limits: DocumentLimits,
                 ocr: bool = True) -> Extracted:
    """`formats.parse` of the file, run in a limited child process; InvalidInput
    ("file", "<filename>: ...") for anything that goes wrong in it (Unavailable when
    no process can be started at all)."""
    header = json.dumps({"filename": filename, "media_type": media_type, "ocr": ocr,
                         "limits": dataclasses.asdict(limits)}).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="casebase-extract-") as workdir:
        try:
            child = subprocess.Popen([sys.executable, "-m", "indexer.documents.sandbox"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
                                     env=_environment(workdir), start_new_session=True)
        except OSError as error:  # the server's trouble (no processes left), not the file's
            raise Unavailable(f"documents cannot be read now: no process could be started ({error}); "
                              "try again in a minute") from error
        try:
            output, errors = child.communicate(header + b"\n" + data, timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            _kill_group(child)
            child.communicate()
            raise InvalidInput("file", f"{filename}: reading it took longer than the limit of "
                                       f"{limits.seconds:g} seconds, so it was stopped") from None
        finally:
            if child.poll() is None:  # the caller was interrupted: leave nothing running
                _kill_group(child)
                child.wait()
    return _answer(child.returncode, output, errors, filename, limits)


def _kill_group(child: subprocess.Popen) -> None:
    """Kill the child and what it started (tesseract), by its process group."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended on its own meanwhile
        pass


def _answer(status: int, output: bytes, errors: bytes, filename: str, limits: DocumentLimits) -> Extracted:
    """The child's answer as Extracted, or its failure as InvalidInput."""
    if status == 0:
        try:
            answer = json.loads(output.decode("utf-8"))
        except ValueError:
            answer = None
        if isinstance(answer, dict) and "extracted" in answer:
            return Extracted.model_validate(answer["extracted"])
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            raise InvalidInput("file", answer["error"])
    stderr = errors.decode("utf-8", "replace").strip()
    log.warning("document extraction of %s ended with status %s: %s", filename, status, stderr[-2000:])
    if status in (-signal.SIGXCPU, -signal.SIGKILL):
        raise InvalidInput("file", f"{filename}: reading it went over the limit of {limits.seconds:g} seconds "
                                   f"or {limits.memory_bytes / 1e6:,.0f} MB of memory, so it was stopped")
    if status < 0:
        raise InvalidInput("file", f"{filename}: reading it crashed the reader ({signal.Signals(-status).name}); "
                                   "the file is probably damaged")
    last_line = stderr.splitlines()[-1] if stderr else "no message"
    raise InvalidInput("file", f"{filename}: reading it failed unexpectedly ({last_line[:200]})")


def _limit_self(limits: DocumentLimits) -> None:
    """Hold this (child) process to the memory and CPU limits, without core dumps."""
    import resource

    cpu = max(1, math.ceil(limits.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> int:
    """The child: read the header and bytes from stdin, extract, answer on stdout."""
    request = sys.stdin.buffer.read()
    header, _, data = request.partition(b"\n")
    job = json.loads(header)
    limits = DocumentLimits(**job["limits"])
    _limit_self(limits)
    answer_stream = sys.stdout
    sys.stdout = sys.stderr  # a parser's stray print must not corrupt the answer
    try:
        from indexer.documents.formats import parse  # imported under the limits: it is most of the memory

        extracted = parse(data, job["filename"], job["media_type"], limits, job["ocr"])
        answer = {"extracted": extracted.model_dump(mode="json")}
    except InvalidInput as error:
        answer = {"error": error.message}
    except MemoryError:
        answer = {"error": f"{job['filename']}: reading it needed more than the memory limit of "
                           f"{limits.memory_bytes / 1e6:,.0f} MB"}
    answer_stream.write(json.dumps(answer, ensure_ascii=False))
    answer_stream.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every benchmark in its small mode (``make bench-smoke``, run by CI): a benchmark that
nothing runs breaks unnoticed, as ``bench/queue.py`` did when ``cases_deadline`` gained a
NOT NULL column its generator did not fill.

    .venv/bin/python bench/smoke.py                 # every script
    .venv/bin/python bench/smoke.py queue.py        # some of them

Runs each script with ``--smoke`` (a small data set in the throwaway database
``qiaowei_bench_smoke`` on the machine's PostgreSQL; the drill on servers of its own) one
after the other, and checks only that it exits with status 0 and that its last line is its
figures, one JSON object. No timing is asserted. Prints a line per script; a script's whole
output is in test-artifacts/bench-smoke/<script>.log, and what broke and its last lines are
printed when it fails. Exit status 1 if a script failed.

Every script in bench/ is run (all but common.py and this one), so a new benchmark is in
the run from its first commit: one without a small mode fails it (``--smoke`` refused, or a
full-size run past the timeout).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[0] = str(BENCH.parent)
from bench.common import drop_smoke_database, smoke_lock  # noqa: E402

NOT_BENCHMARKS = {"__init__.py", "common.py", "smoke.py"}
LAST = ["drill.py"]  # the longest, after the quick ones
TIMEOUT = 600  # seconds a script may take (the drill, the longest, takes 1–2 minutes)
LOGS = BENCH.parent / "test-artifacts" / "bench-smoke"
MARKER = "QIAOWEI_BENCH_SMOKE_RUN"  # in the environment of a script and all it starts


def marked(marker: str) -> list[int]:
    """The processes that carry ``marker`` in their environment: the script's and all it
    started (workers, servers, also those in sessions of their own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:  # gone meanwhile, or not ours to read
                continue
            if f"{MARKER}={marker}".encode() in environ:
                found.append(int(entry.name))
    return found


def stray(marker: str) -> list[int]:
    """Processes the script started and left running (a worker or a server it did not
    stop), after a few seconds to go; they are killed."""
    deadline = time.monotonic() + 5
    while (left := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def run(script: str) -> tuple[bool, str]:
    """Run one script in its small mode: whether it passed, and what to say of it."""
    log = LOGS / f"{script.removesuffix('.py')}.log"
    marker = uuid.uuid4().hex
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(BENCH / script), "--smoke"],
            cwd=BENCH.parent,
            env={**os.environ, MARKER: marker},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            # SIGTERM lets the script clean up (its database, its servers); then the group.
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return False, f"did not finish within {TIMEOUT} s"
        finally:
            left = stray(marker)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    if code != 0:
        return False, f"exit status {code}"
    if left:
        return False, f"it left processes running (pids {left}, killed now)"
    try:
        figures = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        figures = None
    if not isinstance(figures, dict) or not figures:
        return False, "its last line is not its figures (one JSON object)"
    return True, f"{len(figures)} figures: {', '.join(list(figures)[:6])}"


def scripts() -> list[str]:
    found = sorted(p.name for p in BENCH.glob("*.py") if p.name not in NOT_BENCHMARKS)
    return [name for name in found if name not in LAST] + [n for n in LAST if n in found]


def main() -> int:
    present = scripts()
    chosen = sys.argv[1:] or present
    unknown = sorted(set(chosen) - set(present))
    if unknown:
        print(f"bench-smoke: no such script in bench/: {unknown}")
        return 2
    LOGS.mkdir(parents=True, exist_ok=True)
    failed = []
    started = time.monotonic()
    for script in chosen:
        start = time.monotonic()
        passed, said = run(script)
        seconds = time.monotonic() - start
        print(f"bench-smoke: {script:<22} {'ok  ' if passed else 'FAIL'} {seconds:4.0f} s  {said}")
        if not passed:
            failed.append(script)
            log = LOGS / f"{script.removesuffix('.py')}.log"
            lines = log.read_text(errors="replace").splitlines()
            # The lines that say what broke (a failed drill, an error), then the last ones.
            broke = [line for line in lines[:-20] if re.search(r"FAIL|Error\b|Error:", line)]
            for line in [*broke[:10], *(["…"] if broke else []), *lines[-20:]]:
                print(f"    {line}")
            print(f"    (all of it: {log.relative_to(BENCH.parent)})", flush=True)
    # The scripts drop their database themselves; one killed on a timeout may not have.
    with smoke_lock():
        if drop_smoke_database():
            print("bench-smoke: dropped a qiaowei_bench_smoke left behind")
    print(
        f"bench-smoke: {len(chosen) - len(failed)} of {len(chosen)} scripts ran in "
        f"{time.monotonic() - started:.0f} s" + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Intake API under load: sustained requests per second, p95 latency, and no message lost.

    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/harambee_bench \
        .venv/bin/python -m bench.feedback_bench [--seconds 20] [--connections 16] [--workers 2]

A throw-away PostgreSQL test database is created from BENCH_PG_URL (the named database is
untouched) and holds one country group and one intake key. The server is the real WSGI
application in `--workers` processes (gunicorn when installed, otherwise a pre-forking
server from the standard library's wsgiref: each worker accepts on the same socket), all on
loopback. The load comes from `wrk` when it is on PATH (a Lua script sends a different
message each time and reports the 95th percentile), otherwise from a Python asyncio client
(one connection per request). Every request is an SMS-gateway message to /api/feedback-intake/.

At the end: requests sent, 201 answers, items stored (must equal the 201s), requests per
second, p50/p95 latency. Baseline in the same run: GET /feedback/give/ (the public page
listing the groups: one small query, no write) under the same load, so the figure reads against what the server does with no work.
Without BENCH_PG_URL it runs on a throw-away SQLite database instead (said in the output).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# The public "give feedback" page: one small query, a template, no write, no throttle.
BASELINE = "/feedback/give/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _setup_database() -> tuple[str, Any]:
    """Configure Django on a throw-away database; returns (its URL, cleanup)."""
    os.environ["HARAMBEE_VAR_DIR"] = tempfile.mkdtemp(prefix="harambee-feedback-bench-")
    pg = os.environ.get("BENCH_PG_URL")
    if pg:
        os.environ["DATABASE_URL"] = pg
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['HARAMBEE_VAR_DIR']}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if pg:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        test_name = connection.settings_dict["NAME"]
        url = pg.rsplit("/", 1)[0] + "/" + test_name

        def cleanup() -> None:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)

        return url, cleanup
    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"], lambda: None


def _fixtures() -> str:
    from harambee.core.choices import Visibility
    from harambee.feedback.services import token_create
    from harambee.network.models import Group, Organisation
    from harambee.places.models import AdminArea

    group = Group.objects.create(
        name="Bench country group", kind="country", country_id="AFG", visibility=Visibility.PUBLIC
    )
    organisation = Organisation.objects.create(name="Bench NGO", org_type="national_ngo")
    for i in range(1, 35):
        AdminArea.objects.create(pcode=f"AF{i:02d}", country_id="AFG", level=1, name=f"P{i}")
    _token, key = token_create(actor=None, organisation=organisation, group=group, name="bench")
    return key


def _start_server(database_url: str, port: int, workers: int) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "FEEDBACK_INTAKE_RATE": "100000000/minute",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    try:
        import gunicorn  # noqa: F401

        command = [
            sys.executable, "-m", "gunicorn", "harambee.wsgi:application", "-w", str(workers),
            "-b", f"{HOST}:{port}", "--log-level", "error",
        ]  # fmt: skip
        kind = f"gunicorn, {workers} sync workers"
    except ImportError:
        command = [sys.executable, "-m", "bench.wsgi_prefork", HOST, str(port), str(workers)]
        kind = f"wsgiref pre-fork server (bench/wsgi_prefork.py), {workers} worker processes"
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process, kind
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start")


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


WRK_SCRIPT = """
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end
function init(args)
  created = 0
  other = 0
end
request = function()
  counter = counter + 1
  local body = string.format('{"message": "Bench message %d-%d: no water at the tap stand", "sender": "+93700%06d", "channel": "sms", "place": "AF%02d"}', id, counter, counter, (counter %% 34) + 1)
  return wrk.format("POST", "/api/feedback-intake/", {["Content-Type"] = "application/json", ["Authorization"] = "Intake __KEY__"}, body)
end
response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\\n", summary.requests, c, o,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""

WRK_GET = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\\n", summary.requests, summary.requests - summary.errors.status, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""


def _wrk(
    port: int, script: str, seconds: int, connections: int, path: str = "/"
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", handle.name,
         f"http://{HOST}:{port}{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    sent, ok, other, p50, p95, duration = line.split()[1:]
    return {
        "sent": int(sent), "ok": int(ok), "other": int(other), "p50_ms": float(p50),
        "p95_ms": float(p95), "seconds": float(duration),
    }  # fmt: skip


async def _python_load(
    port: int, key: str | None, seconds: int, connections: int
) -> dict[str, float]:
    """One request per connection (the wsgiref server closes each); bodies all different."""
    latencies: list[float] = []
    counts = {"ok": 0, "other": 0}
    stop = time.perf_counter() + seconds
    counter = 0

    async def one(n: int) -> None:
        if key:
            body = json.dumps(
                {"message": f"Bench message {n}: no water at the tap stand",
                 "sender": f"+93700{n:06d}", "channel": "sms", "place": f"AF{n % 34 + 1:02d}"}
            ).encode()  # fmt: skip
            head = (
                f"POST /api/feedback-intake/ HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Intake {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
        else:
            body = b""
            head = f"GET {BASELINE} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
        start = time.perf_counter()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(head + body)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()
        writer.close()
        latencies.append(time.perf_counter() - start)
        code = int(status_line.split()[1]) if status_line else 0
        expected = 201 if key else 200
        counts["ok" if code == expected else "other"] += 1

    async def worker() -> None:
        nonlocal counter
        while time.perf_counter() < stop:
            counter += 1
            await one(counter)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "sent": len(latencies),
        "ok": counts["ok"],
        "other": counts["other"],
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "seconds": elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()

    database_url, cleanup = _setup_database()
    engine = "PostgreSQL" if os.environ.get("BENCH_PG_URL") else "SQLite (set BENCH_PG_URL)"
    process = None
    try:
        key = _fixtures()
        from django.db import connection

        connection.close()
        port = _free_port()
        process, kind = _start_server(database_url, port, args.workers)
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
        client = "wrk (2 threads, keep-alive)" if use_wrk else "Python asyncio client"
        print(
            f"database: {engine}; server: {kind}; load: {client}, {args.connections} connections, {args.seconds} s"
        )
        if use_wrk:
            baseline = _wrk(port, WRK_GET, max(5, args.seconds // 4), args.connections, BASELINE)
            result = _wrk(
                port,
                WRK_SCRIPT.replace("__KEY__", key).replace("%%", "%"),
                args.seconds,
                args.connections,
            )
        else:
            baseline = asyncio.run(
                _python_load(port, None, max(5, args.seconds // 4), args.connections)
            )
            result = asyncio.run(_python_load(port, key, args.seconds, args.connections))
        from harambee.feedback.models import FeedbackItem, RawIntake

        time.sleep(2)  # let the server finish what was in flight when the client stopped
        stored = FeedbackItem.objects.count()
        raw = RawIntake.objects.count()
        rate = result["ok"] / result["seconds"]
        base_rate = baseline["ok"] / baseline["seconds"]
        print(
            f"baseline GET {BASELINE} (no write):     {base_rate:8.1f} req/s  p50 {baseline['p50_ms']:.1f} ms  p95 {baseline['p95_ms']:.1f} ms"
        )
        print(
            f"intake POST /api/feedback-intake/:      {rate:8.1f} req/s  p50 {result['p50_ms']:.1f} ms  p95 {result['p95_ms']:.1f} ms"
        )
        print(
            f"answers seen by the client {result['sent']} (201: {result['ok']}, other: {result['other']}); "
            f"messages received by the server (raw intake) {raw}; items stored {stored}"
        )
        print(f"intake / baseline: {rate / base_rate:.2f}")
        # Every message the server read is kept as raw intake; each must have made one item,
        # and every 201 the client saw must be among them (wrk may stop with requests in
        # flight: those are stored without the client seeing their answer).
        lost = raw != stored or result["ok"] > stored
        in_flight = stored - result["ok"]
        print(
            "count in = count stored: "
            + (
                "NO — items lost or duplicated"
                if lost
                else f"yes ({in_flight} answered after the client stopped)"
            )
        )
        return 1 if lost or result["other"] else 0
    finally:
        if process is not None:
            _stop(process)
        cleanup()


if __name__ == "__main__":
    sys.exit(main())

"""The check page's server under 1, 4 and 20 clients at once: checks per second and p95 latency.

    python bench/page.py [--clients 1,4,20] [--requests 60] [--file FILE]

A real `planvalidator serve` process (uvicorn; the checks in its pool of warm worker processes, sized
from the CPU count) on a free loopback port; each client is a thread posting the workbook to
/api/check one request after another, as the page's upload button does. Before the timed runs the
workers are warmed with one request per worker. In the same run the baseline: python-calamine reading
the same file in this process (ms per read). The ratio of each row is the server's wall time per
check (1 / checks per second) to that read.

Goal (issue 24): ≥ 45 checks/s at 20 clients on 2 cores, p95 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from timing import ENV, ROOT, warm

EXAMPLE = ROOT / "templates" / "r7" / "kinyurei-r7.xlsx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    import httpx

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"serve stopped: {process.stderr.read().decode(errors='replace')[-400:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("serve did not answer")


def run_clients(url: str, data: bytes, name: str, clients: int, requests: int) -> tuple[float, float, int]:
    """(checks per second, p95 seconds, failed requests) of ``requests`` posts shared by ``clients`` threads."""
    import httpx

    latencies: list[float] = []
    failed = [0]
    left = [requests]
    lock = threading.Lock()

    # each client's connection is made before the clock starts: an httpx.Client loads the CA bundle (~20 ms of
    # CPU, even for http://), which 20 clients starting at once took from the 2 cores the server runs on
    sessions = [httpx.Client(base_url=url, timeout=120) for _ in range(clients)]
    for session in sessions:
        session.get("/")
    start_line = threading.Barrier(clients + 1)

    def client(session):
        start_line.wait()
        try:
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                start = time.perf_counter()
                answer = session.post("/api/check", files={"file": (name, data)})
                took = time.perf_counter() - start
                with lock:
                    latencies.append(took)
                    if answer.status_code != 200:
                        failed[0] += 1
        finally:
            session.close()

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    for t in threads:
        t.start()
    start = time.perf_counter()
    start_line.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    return len(latencies) / wall, p95, failed[0]


def calamine_read(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    for sheet in book.sheet_names:
        book.get_sheet_by_name(sheet).to_python()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="1,4,20")
    parser.add_argument("--requests", type=int, default=60, help="requests per row")
    parser.add_argument("--file", type=Path, default=EXAMPLE)
    args = parser.parse_args()
    data = args.file.read_bytes()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**ENV, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "planvalidator", "serve", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_up(url, process)
        run_clients(url, data, args.file.name, os.cpu_count() or 2, 2 * (os.cpu_count() or 2))   # workers warm
        base = warm(lambda: calamine_read(args.file), 15)
        print(f"python-calamine reads {args.file.name}: {base:.1f} ms (baseline, in this process)")
        print(f"{'clients':>7} {'checks/s':>9} {'p95':>8} {'ms/check':>9} {'ratio':>6} {'failed':>6}")
        for clients in (int(c) for c in args.clients.split(",")):
            rate, p95, failed = run_clients(url, data, args.file.name, clients, max(args.requests, clients * 3))
            per_check = 1000 / rate
            print(f"{clients:>7} {rate:9.1f} {p95 * 1000:6.0f} ms {per_check:7.1f} ms {per_check / base:6.2f} "
                  f"{failed:>6}", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

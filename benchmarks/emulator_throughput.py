"""Emulator throughput for crm.activity.badge.get, as a ratio to a bare Starlette route.

    python -m benchmarks.emulator_throughput [--seconds S] [--rounds N] [--connections C]

Both servers run under uvicorn in their own processes with the same settings; the bare route
returns, byte for byte in shape, the JSON the emulator answers. The load comes from a third
process (benchmarks.load). Rounds alternate between the two, so that the shared machine's noise
falls on both; the medians and their ratio are reported. Target: at least 0.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.load import measure

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps({"code": "missedCall"}).encode()
PATH = "/rest/1/bench/crm.activity.badge.get"
TARGET = 0.5
JSON = {"content-type": "application/json"}


@contextmanager
def server(argv: list[str], env: dict[str, str] | None = None) -> Iterator[str]:
    """Start a server that prints nothing, on a fixed free port; yield its base URL."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [*argv, "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.post(base + PATH, content=BODY, headers=JSON).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server {argv} did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per server")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    args = parser.parse_args()

    bin_dir = Path(sys.executable).parent
    emulator = [str(bin_dir / "b24-emulator"), "--webhook", "1:bench", "--no-rate-limit"]
    with server(emulator) as emulator_url:
        answer = httpx.post(emulator_url + PATH, content=BODY, headers=JSON).json()
        bare = [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app",
                "--log-level", "warning", "--no-access-log"]  # fmt: skip
        with server(bare, {"BARE_ANSWER": json.dumps(answer)}) as bare_url:
            emulator_rates, bare_rates = [], []
            for _ in range(args.rounds):
                emulator_rates.append(
                    measure(emulator_url + PATH, BODY, args.connections, args.seconds)
                )
                bare_rates.append(measure(bare_url + PATH, BODY, args.connections, args.seconds))

    emulator_rate = statistics.median(emulator_rates)
    bare_rate = statistics.median(bare_rates)
    ratio = emulator_rate / bare_rate
    load = f"{args.connections} connections, {args.rounds} x {args.seconds:g} s"
    print(f"crm.activity.badge.get: {load}")
    print(f"  bare Starlette route {bare_rate:8.0f} req/s  rounds: {_rates(bare_rates)}")
    print(f"  emulator             {emulator_rate:8.0f} req/s  rounds: {_rates(emulator_rates)}")
    print(f"  ratio emulator/bare  {ratio:8.2f}  (target >= {TARGET})")
    return 0 if ratio >= TARGET else 1


def _rates(rates: list[float]) -> str:
    return ", ".join(f"{rate:.0f}" for rate in rates)


if __name__ == "__main__":
    raise SystemExit(main())

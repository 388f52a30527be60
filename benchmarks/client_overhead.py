"""What the client costs per crm.activity.badge.get, as a ratio to a raw httpx call.

    python -m benchmarks.client_overhead [--calls N] [--rounds R]

Both sides send the same request over the same in-process transport (httpx.MockTransport
answering the docs' success example), so only client-side work is measured: the raw side is
`httpx.Client.post` plus `json.loads`; the client side is `BadgeClient.get`, with the generated
models, the answer checks, credentials, the per-call deadline and size cap, and the pacer
(given a limit it never reaches, so that its bookkeeping runs but it never waits). Rounds
alternate; medians are compared. Both sides run in this one thread, so each round is timed in
CPU time (time.process_time): other processes on a busy machine then slow neither side's
figure, where wall-clock rounds would swing with them. Target: at most 1.3 (aim: 1.2).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import httpx

from b24_badge_client import BadgeClient, RateLimit

TARGET = 1.3
WEBHOOK = "https://portal.example/rest/1/benchmark-code/"
ANSWER = json.dumps(
    {
        "result": {
            "badge": {
                "code": "missedCall",
                "title": "Статус звонка",
                "value": "Пропущен",
                "type": "failure",
            }
        },
        "time": {
            "start": 1724068028.331234,
            "finish": 1724068028.726591,
            "duration": 0.3953571319580078,
            "processing": 0.13033390045166016,
            "date_start": "2025-01-21T13:47:08+02:00",
            "date_finish": "2025-01-21T13:47:08+02:00",
            "operating_reset_at": 1724068628,
            "operating": 0,
        },
    }
).encode()


def portal(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=ANSWER, headers={"content-type": "application/json"})


def per_call(call: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - start) / calls


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=21, help="rounds per side")
    args = parser.parse_args()

    raw = httpx.Client(transport=httpx.MockTransport(portal), base_url=WEBHOOK)
    never_waits = RateLimit(burst=10**12, per_second=1e12)
    client = BadgeClient.from_webhook(
        WEBHOOK, transport=httpx.MockTransport(portal), rate_limit=never_waits
    )

    def raw_call() -> object:
        return json.loads(raw.post("crm.activity.badge.get", json={"code": "missedCall"}).content)

    def client_call() -> object:
        return client.get("missedCall")

    assert client_call().code == "missedCall"  # type: ignore[attr-defined]
    raw_times, client_times = [], []
    for _ in range(args.rounds):
        raw_times.append(per_call(raw_call, args.calls))
        client_times.append(per_call(client_call, args.calls))
    raw_time, client_time = statistics.median(raw_times), statistics.median(client_times)
    ratio = client_time / raw_time
    print(
        f"crm.activity.badge.get over an in-process transport: {args.rounds} x {args.calls} calls"
    )
    print(f"  raw httpx + json.loads  {raw_time * 1e6:7.1f} us/call")
    print(f"  BadgeClient.get         {client_time * 1e6:7.1f} us/call")
    print(f"  ratio client/raw        {ratio:7.2f}  (target <= {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())

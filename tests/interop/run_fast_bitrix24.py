"""The interop scenario (tests/interop/scenario.py) with fast_bitrix24, as a team would write it.

Run as a script in its own process: the scenario on stdin, the results as JSON on stdout.
Only fast_bitrix24's public API: `Bitrix(webhook)`, `call` (which packs every call into a
`batch` request), `get_all` for list, `call_batch`. It trusts the emulator's CA through
SSL_CERT_FILE, which Python's ssl reads when aiohttp (fast_bitrix24's HTTP library) builds its
default context, at import: the variable must be set before the process starts.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from fast_bitrix24 import Bitrix
from fast_bitrix24.server_response import ErrorInServerResponseException


def main() -> None:
    scenario = json.load(sys.stdin)
    badge, missing = scenario["badge"], scenario["missing"]
    bitrix = Bitrix(scenario["webhook_url"], verbose=False)  # verbose draws a progress bar
    results: dict[str, Any] = {
        "add": bitrix.call("crm.activity.badge.add", badge),
        "get": bitrix.call("crm.activity.badge.get", {"code": badge["code"]}),
        "list": bitrix.get_all("crm.activity.badge.list"),
    }
    try:
        bitrix.call("crm.activity.badge.get", {"code": missing})
    except ErrorInServerResponseException as error:
        results["error"] = {"type": type(error).__name__, "args": list(error.args)}
    commands = {
        "get": f"crm.activity.badge.get?code={badge['code']}",
        "list": "crm.activity.badge.list",
    }
    results["batch"] = bitrix.call_batch({"halt": 0, "cmd": commands})
    results["delete"] = bitrix.call("crm.activity.badge.delete", {"code": badge["code"]})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()

"""The interop scenario (tests/interop/scenario.py) with b24pysdk, as a team would write it.

Run as a script in its own process: the scenario on stdin, the results as JSON on stdout.
Only b24pysdk's public API: `BitrixWebhook` + `Client`, the badge scope, `call_batch`. It trusts
the emulator's CA through REQUESTS_CA_BUNDLE, which requests (b24pysdk's HTTP library) reads.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

from b24pysdk import BitrixWebhook, Client
from b24pysdk.errors import BitrixAPIError


def main() -> None:
    scenario = json.load(sys.stdin)
    badge, missing = scenario["badge"], scenario["missing"]
    # BitrixWebhook takes the portal's domain and "user_id/webhook_key"; it builds https:// URLs.
    url = urlsplit(scenario["webhook_url"])
    hook = BitrixWebhook(domain=url.netloc, webhook_token=url.path.removeprefix("/rest/"))
    badges = Client(hook).crm.activity.badge
    results: dict[str, Any] = {
        "add": badges.add(badge["code"], badge["title"], badge["value"], badge["type"]).result,
        "get": badges.get(badge["code"]).result,
        "list": badges.list().result,
        "as_list": badges.list().as_list().result,  # b24pysdk's own badge test calls it too
    }
    try:
        badges.get(missing).result  # noqa: B018 (calls are lazy: reading .result sends it)
    except BitrixAPIError as error:
        results["error"] = {
            "type": type(error).__name__,
            "status_code": error.status_code,
            "error": error.error,
            "error_description": error.error_description,
        }
    batch = Client(hook).call_batch({"get": badges.get(badge["code"]), "list": badges.list()})
    results["batch"] = batch.result.to_dict()
    results["delete"] = badges.delete(badge["code"]).result
    json.dump(results, sys.stdout, default=str)


if __name__ == "__main__":
    main()

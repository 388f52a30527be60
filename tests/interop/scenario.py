"""The one scenario every SDK runs, and the shapes b24pysdk's own badge test expects of it.

Each SDK's script reads `scenario_input` as JSON on stdin and, with nothing but that SDK's public
API, does in order: add BADGE, get it, list, get MISSING (the error), one batch of a get and a
list named "get" and "list", and delete BADGE. It prints one JSON object on stdout with what the
SDK returned for each step under "add", "get", "list", "error", "batch" and "delete" (an error as
the SDK surfaces it: its type and what it carries).

The expected shapes are those of b24pysdk's live-portal test
(tests/integration/scopes/crm/activity/test_crm_activity_badge.py): add and get give a result
with `badge` equal to the inputs, list gives `badges` containing it, delete gives `True`.
"""

from __future__ import annotations

from typing import Any

# A title and value that need encoding in a batch command's query (`%`, `&`, non-ASCII, and a
# language map sent as PHP bracket keys), which each SDK must survive unchanged.
BADGE: dict[str, Any] = {
    "code": "interop-badge",
    "title": "Interop: 50% & more ✓",
    "value": {"en": "Overdue", "ru": "Просрочено"},
    "type": "failure",
}
MISSING = "interop-no-such-badge"


def scenario_input(webhook_url: str) -> dict[str, Any]:
    return {"webhook_url": webhook_url, "badge": BADGE, "missing": MISSING}


def assert_badge_result(result: Any) -> None:
    """add and get: `{"badge": {...}}` with code, title, value and type equal to the inputs."""
    assert isinstance(result, dict), f"expected an object with `badge`, got {result!r}"
    assert result.get("badge") == BADGE, f"expected badge {BADGE!r}, got {result!r}"


def assert_listed(result: Any) -> None:
    """list: `{"badges": [...]}` holding the badge as added."""
    assert isinstance(result, dict), f"expected an object with `badges`, got {result!r}"
    assert isinstance(result.get("badges"), list), f"expected a `badges` list, got {result!r}"
    assert BADGE in result["badges"], f"{BADGE['code']!r} missing from {result['badges']!r}"


def assert_batch_results(results: Any) -> None:
    """The batch's per-command results, by command name, each as the method answers directly."""
    assert isinstance(results, dict), f"expected results by command name, got {results!r}"
    assert set(results) == {"get", "list"}, f"expected commands get and list, got {results!r}"
    assert_badge_result(results["get"])
    assert_listed(results["list"])

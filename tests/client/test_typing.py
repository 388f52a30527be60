"""The client's signatures catch mistakes before they run: mypy --strict on small typed examples.

A misspelled option and an unknown badge type must be type errors (the options are TypedDicts,
the type is `BadgeType | BadgeTypeName`), so must reading a batch outcome as a result without
`raise_errors` (it may be an error), and correct code must pass clean. mypy runs as a user's
would: on the installed package, reporting only the example files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

CORRECT = """
    from b24_badge_client import AsyncBadgeClient, BadgeClient, BadgeType, Clock, RetryPolicy

    client = BadgeClient.from_webhook(
        "https://portal.example/rest/1/code/",
        rate_limit=None,
        retry=RetryPolicy(max_retries=2),
        deadline=30.0,
        max_response_size=2**20,
        timeout=10.0,
        clock=Clock(),
    )
    client.add("code", "Title", "Value", "success")
    client.add("code", {"en": "Title", "ru": "Заголовок"}, "Value", BadgeType.FAILURE)
    AsyncBadgeClient.from_oauth("https://portal.example", "token", deadline=None)

    from b24_badge_client import Badge, BitrixError, Call

    sure: dict[str, Badge] = client.get_many(["a", "b"], raise_errors=True)
    maybe: dict[str, Badge | BitrixError] = client.get_many(["a", "b"])
    gone: dict[str, BitrixError | None] = client.delete_many(["a"])
    lists: list[list[Badge]] = client.batch([Call.list()], raise_errors=True)
    mixed: list[Badge | None | BitrixError] = client.batch([Call.get("a"), Call.delete("b")])
"""

WRONG = """
    from b24_badge_client import BadgeClient

    client = BadgeClient.from_webhook("https://portal.example/rest/1/code/", rate_limt=None)
    client.add("code", "Title", "Value", "purple")

    from b24_badge_client import Badge, Call

    unsure: dict[str, Badge] = client.get_many(["a"])
    client.batch([Call.get(1)])
"""

CONFIG = """
    [mypy]
    strict = True
    # The package's own modules are checked by the project's mypy run; report the examples only.
    [mypy-b24_badge_client.*]
    follow_imports = silent
"""

ERROR = re.compile(r"^(?P<file>[\w.]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def mypy_errors(tmp_path: Path, **examples: str) -> set[tuple[str, int, str]]:
    """(file, line, error code) of every error mypy --strict reports on the examples."""
    (tmp_path / "mypy.ini").write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    for name, source in examples.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", "cache"]
        + [f"{name}.py" for name in examples],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2: mypy itself failed
    found = {
        (match["file"], int(match["line"]), match["code"])
        for line in done.stdout.splitlines()
        if (match := ERROR.match(line))
    }
    return found


def test_mypy_rejects_a_misspelled_option_and_an_unknown_badge_type(tmp_path: Path) -> None:
    assert mypy_errors(tmp_path, correct=CORRECT, wrong=WRONG) == {
        ("wrong.py", 4, "call-arg"),  # rate_limt
        ("wrong.py", 5, "arg-type"),  # "purple"
        ("wrong.py", 9, "assignment"),  # a result without raise_errors may be an error
        ("wrong.py", 10, "arg-type"),  # a code is a string
    }

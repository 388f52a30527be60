"""The README's client examples run as written, against the emulator in place of a portal."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from b24_emulator import OAuthToken, Webhook, run_emulator
from b24_emulator.config import Settings
from tests.conftest import REPO

PORTAL = "https://your-domain.bitrix24.com"
HOOK = Webhook(1, "your_webhook_code")


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def client_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return python_blocks(text.split("## The client: b24-badge-client", 1)[1].split("\n## ", 1)[0])


def is_batch(example: str) -> bool:
    return "client.batch(" in example


def batch_example() -> str:
    """The README's one batch example, from its client section."""
    found = [example for example in client_examples() if is_batch(example)]
    assert len(found) == 1, "one batch example in the README's client section"
    return found[0]


def test_the_client_examples_work(capsys: pytest.CaptureFixture[str]) -> None:
    (example,) = [example for example in client_examples() if not is_batch(example)]
    settings = replace(
        Settings(webhooks=(HOOK,), rate_limit=None), tokens=(OAuthToken("token", 1),)
    )
    with run_emulator(settings) as portal:
        code = example.replace(PORTAL, portal.base_url)
        namespace = {"access_token": "token", "refresh": lambda: "token"}
        exec(compile(code, "README.md", "exec"), namespace)  # the README's own code
        assert [b.code for b in portal.portal.store.list()] == ["missedCall", "overdue"]
    assert capsys.readouterr().out == "NOT_FOUND 400 Not found.\n"


def test_the_batch_example_works(capsys: pytest.CaptureFixture[str]) -> None:
    with run_emulator(Settings(webhooks=(HOOK,), rate_limit=None)) as portal:
        code = batch_example().replace(PORTAL, portal.base_url)
        exec(compile(code, "README.md", "exec"), {})  # the README's own code
        assert [b.code for b in portal.portal.store.list()] == ["missedCall"]
    assert capsys.readouterr().out.splitlines() == [
        "['Badge', 'NotFound', 'NoneType']",
        "['no-such-badge']",
        "Пропущен",
    ]

"""The command's options are checked before anything is served: a bad one is a usage error
(exit 2) that says what is wrong, never a portal serving what no portal would hold."""

from __future__ import annotations

import pytest

from b24_emulator.cli import main

SEEDS = [
    ('{"code": "x", "title": "T", "value": "V", "type": "purple"}', "Invalid value of type"),
    ('{"code": 5, "title": "T", "value": "V", "type": "primary"}', "Invalid value of code"),
    ('{"code": "x", "value": "V", "type": "primary"}', "Required fields: title"),
    ('{"code": "x", "title": {"en": 1}, "value": "V", "type": "primary"}', "title[en]"),
    ('["x", "T", "V", "primary"]', "not a JSON object"),
    ("{code: x}", "not JSON"),
]


@pytest.mark.parametrize(("seed", "said"), SEEDS)
def test_a_seed_badge_add_would_refuse_is_a_usage_error(
    seed: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--seed-badge", seed])
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert "argument --seed-badge" in error
    assert said in error

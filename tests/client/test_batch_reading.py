"""A batched get or add reads its entry as the generated parser does, quick path or not.

_batch._badge builds the usual entry (four fields, each text a string or a map) into the
generated Badge itself, for speed; whatever the entry, the outcome must be what the generated
parser gives (`BadgeResult.from_dict(entry).badge`), or an error where it raises.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b24_badge_client._batch import _badge
from b24_badge_client._generated.models import BadgeResult

TYPES = st.sampled_from(["success", "failure", "warning", "primary", "secondary", "purple", ""])
TEXTS = st.one_of(
    st.text(max_size=8),
    st.dictionaries(st.text(max_size=3), st.text(max_size=5), max_size=3),
    st.integers(),
    st.none(),
)
CODES = st.one_of(st.text(max_size=8), st.integers())
# the usual shape (the quick path's), and the same with a field missing or one more
USUAL = st.fixed_dictionaries({"code": CODES, "title": TEXTS, "value": TEXTS, "type": TYPES})
FIELDS = st.one_of(
    USUAL,
    st.fixed_dictionaries(
        {"code": CODES, "title": TEXTS, "value": TEXTS},
        optional={"type": TYPES, "extra": st.text(max_size=3)},
    ),
)
ENTRIES = st.one_of(
    st.builds(lambda badge: {"badge": badge}, USUAL),
    st.builds(lambda badge: {"badge": badge}, FIELDS),
    st.builds(lambda badge: {"badge": badge, "more": 1}, FIELDS),
    st.sampled_from([{}, [], True, {"badge": "x"}]),
)


def read(reader: Any, entry: Any) -> tuple[str, Any]:
    try:
        return "ok", reader(entry)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return "error", type(error).__name__


def generated(entry: Any) -> Any:
    if not isinstance(entry, dict):
        raise TypeError("not an object")  # as _batch._object: what BadgeResult cannot take
    return BadgeResult.from_dict(entry).badge


@settings(max_examples=400, deadline=None)
@given(ENTRIES)
def test_the_quick_path_gives_what_the_generated_parser_gives(entry: Any) -> None:
    quick, slow = read(_badge, entry), read(generated, entry)
    assert quick[0] == slow[0], (entry, quick, slow)
    if quick[0] == "ok":
        assert quick[1] == slow[1]
        assert quick[1].to_dict() == slow[1].to_dict()
        assert type(quick[1].title) is type(slow[1].title)


def test_the_quick_path_is_taken_for_the_usual_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a test of speed: that the usual entry does not reach the generated parser."""
    entry = {"badge": {"code": "c", "title": "T", "value": "V", "type": "primary"}}
    calls: list[object] = []
    original = BadgeResult.from_dict

    def counting(src: Any) -> Any:
        calls.append(src)
        return original(src)

    monkeypatch.setattr(BadgeResult, "from_dict", counting)
    assert _badge(entry).code == "c"
    assert calls == []
    assert _badge({"badge": dict(entry["badge"], title={"en": "T"})}).code == "c"
    assert calls == [], "a language map too"
    assert _badge({"badge": dict(entry["badge"], title=5)}).code == "c"
    assert len(calls) == 1, "a title neither text nor map goes through the generated parser"

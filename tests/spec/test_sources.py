"""The contract's citations can be checked from a clone: each `facts §N` is a section of
spec/SOURCES.md (with the public URLs it rests on), and nothing points outside the repository."""

from __future__ import annotations

import re

from tests.conftest import REPO

SPEC = (REPO / "spec/openapi.yaml").read_text(encoding="utf-8")
SOURCES = (REPO / "spec/SOURCES.md").read_text(encoding="utf-8")

# `facts §8`, `facts §9.3`, and the continuations of one citation: `facts §3, §8`.
_CITATION = re.compile(r"facts (§\d+(?:\.\d+)?(?:,? §\d+(?:\.\d+)?)*)")
_SECTION = re.compile(r"§(\d+)(?:\.(\d+))?")


def cited_sections(text: str) -> set[tuple[int, int | None]]:
    found = set()
    for citation in _CITATION.finditer(text):
        for number, item in _SECTION.findall(citation[1]):
            found.add((int(number), int(item) if item else None))
    return found


def sections_of(sources: str) -> set[tuple[int, int | None]]:
    found: set[tuple[int, int | None]] = set()
    current = None
    for line in sources.splitlines():
        if heading := re.match(r"## §(\d+) ", line):
            current = int(heading[1])
            found.add((current, None))
        elif current is not None and (item := re.match(r"(\d+)\. ", line)):
            found.add((current, int(item[1])))
    return found


def test_every_citation_of_the_spec_is_a_section_of_the_sources() -> None:
    cited = cited_sections(SPEC)
    assert cited, "the spec cites its sources"
    missing = cited - sections_of(SOURCES)
    assert not missing, f"spec/SOURCES.md has no section for {sorted(missing, key=str)}"


def test_a_citation_of_a_missing_section_is_caught() -> None:
    assert (9, 11) not in sections_of(SOURCES)
    assert cited_sections("see facts §3, §9.11") - sections_of(SOURCES) == {(9, 11)}


def test_the_spec_points_at_nothing_outside_the_repository() -> None:
    assert "../" not in SPEC
    assert "shared/reference" not in SPEC


def test_the_sources_give_a_public_url_for_every_abbreviation() -> None:
    for repository in (
        "bitrix-tools/b24-rest-docs",
        "bitrix24/b24restdocs",
        "bitrix24/b24pysdk",
        "bitrix24/b24phpsdk",
        "leshchenko1979/fast_bitrix24",
    ):
        assert re.search(
            rf"https://github\.com/{re.escape(repository)}/blob/[0-9a-f]{{40}}/", SOURCES
        )

"""Docs drift: do the Bitrix24 docs' JSON examples still fit the contract?

    b24-docs-drift DOCS_CHECKOUT [--spec PATH]

DOCS_CHECKOUT is any checkout of the Bitrix24 REST docs (bitrix-tools/b24-rest-docs, or
bitrix24/b24restdocs for English). Every badge method page found under it is read; each JSON
example is paired with the `HTTP-статус: **NNN**` / `HTTP Status: **NNN**` line above it and
validated against the contract's response schema for that method and status. The language-map
example of the badges overview page and the `time` example of `api-reference/data-types.md` are
validated against their component schemas, and the answers of the batch page
(`settings/how-to-call-rest-api/batch.md`) against the batch answer. Pages are found by name
anywhere in the tree, because the docs have moved them before.

Exit status: 0 when every example fits, 1 when the docs and the spec part ways, 2 when there is
nothing to check (wrong directory) or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from b24_spec.contract import SPEC_PATH, Contract, Schema
from b24_spec.methods import BATCH, FAMILY, method_name

METHOD_PAGE_GLOB = FAMILY.replace(".", "-") + "-*.md"  # crm-activity-badge-get.md
BATCH_PAGE = f"settings/how-to-call-rest-api/{BATCH}.md"
_STATUS = re.compile(r"HTTP[- ](?:статус|status)\s*:\s*\*\*(\d{3})\*\*", re.IGNORECASE)
_FENCE_OPEN = re.compile(r"^\s*```json\s*$")
_FENCE_CLOSE = re.compile(r"^\s*```\s*$")
_HEADING = re.compile(r"^#+\s")


@dataclass(frozen=True)
class JsonBlock:
    """One ```json example of a docs page, with the status line and heading that govern it."""

    line: int  # 1-based line of the opening fence
    text: str
    status: int | None  # the last HTTP status line above the block
    heading: str  # the last Markdown heading above the block


@dataclass
class Finding:
    """The verdict on one example, or on a page missing one: what it was checked as (`target`,
    `<method> HTTP 400`, `LanguageMap`, ...) and its problems, none when it fits."""

    page: Path
    line: int
    target: str
    problems: list[str] = field(default_factory=list)


def json_blocks(markdown: str) -> Iterator[JsonBlock]:
    """Every ```json block of a Markdown page, in order. A heading forgets the status line above
    it, so that an example never takes the status of another section's example."""
    status: int | None = None
    heading = ""
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if _HEADING.match(line):
            heading = line
            status = None  # a status line speaks for the examples of its own section only
        if match := _STATUS.search(line):
            status = int(match.group(1))
        if _FENCE_OPEN.match(line):
            start = index
            body: list[str] = []
            index += 1
            while index < len(lines) and not _FENCE_CLOSE.match(lines[index]):
                body.append(lines[index])
                index += 1
            yield JsonBlock(start + 1, "\n".join(body), status, heading)
        index += 1


def _parse(block: JsonBlock, finding: Finding) -> object | None:
    try:
        instance: object = json.loads(block.text)
    except json.JSONDecodeError as error:
        finding.problems.append(f"not valid JSON: {error}")
        return None
    return instance


def _check(contract: Contract, finding: Finding, instance: object, schema: Schema) -> Finding:
    finding.problems.extend(contract.violations(instance, schema))
    return finding


def check_method_page(contract: Contract, page: Path) -> list[Finding]:
    """Every example of one method page (`crm-activity-badge-get.md`, the method read from the
    file name) against the answer the contract declares for its HTTP status.

    A page for a method the spec lacks, an example without a status line or under a status the
    spec does not declare, and a page without a 200 example are findings too.
    """
    method = method_name(page.stem.replace("-", "."))  # crm-activity-badge-get.md
    findings: list[Finding] = []
    try:
        contract.operation(method)
    except KeyError:
        return [Finding(page, 1, method, [f"the docs have a method {method} the spec lacks"])]
    for block in json_blocks(page.read_text(encoding="utf-8")):
        finding = Finding(page, block.line, f"{method} HTTP {block.status}")
        findings.append(finding)
        if block.status is None:
            finding.problems.append("no 'HTTP status: **NNN**' line above this example")
            continue
        schema = contract.response_schema(method, block.status)
        if schema is None:
            finding.problems.append(f"the spec declares no JSON answer {block.status} for {method}")
            continue
        instance = _parse(block, finding)
        if instance is not None:
            _check(contract, finding, instance, schema)
    if not any(f.target == f"{method} HTTP 200" for f in findings):
        findings.append(Finding(page, 1, method, ["the page has no HTTP 200 JSON example"]))
    return findings


def check_overview_page(contract: Contract, page: Path) -> list[Finding]:
    """The overview page's only JSON example is a title/value language map."""
    findings = []
    for block in json_blocks(page.read_text(encoding="utf-8")):
        finding = Finding(page, block.line, "LanguageMap")
        instance = _parse(block, finding)
        if instance is not None:
            _check(contract, finding, instance, contract.schema("LanguageMap"))
        findings.append(finding)
    return findings


def check_time_page(contract: Contract, page: Path) -> list[Finding]:
    """The `time` object's example in the data-types page, section `{#time}`."""
    findings = []
    for block in json_blocks(page.read_text(encoding="utf-8")):
        if "{#time}" not in block.heading:
            continue
        finding = Finding(page, block.line, "Time")
        instance = _parse(block, finding)
        if isinstance(instance, dict) and "time" in instance:
            _check(contract, finding, instance["time"], contract.schema("Time"))
        elif instance is not None:
            finding.problems.append("the example has no top-level 'time' key")
        findings.append(finding)
    if not findings:
        findings.append(Finding(page, 1, "Time", ["no JSON example in the {#time} section"]))
    return findings


def check_batch_page(contract: Contract, page: Path) -> list[Finding]:
    """The batch page's answers (success and errors alike: a batch answers 200, its commands'
    errors inside) against the batch answer schema."""
    findings = []
    schema = contract.response_schema(BATCH, 200)
    assert schema is not None, "the spec declares batch's 200 answer"
    for block in json_blocks(page.read_text(encoding="utf-8")):
        finding = Finding(page, block.line, f"{BATCH} HTTP 200")
        instance = _parse(block, finding)
        if isinstance(instance, dict) and "result" in instance:
            findings.append(_check(contract, finding, instance, schema))
        elif instance is None:
            findings.append(finding)
    if not findings:
        findings.append(Finding(page, 1, BATCH, ["the page has no JSON answer"]))
    return findings


def check_docs(contract: Contract, docs: Path) -> list[Finding]:
    """Every page the check knows, found by name anywhere under `docs`; a method page the
    contract describes but the docs' badge folder lacks is a finding. Empty only when nothing
    was found to check, which the command reports apart from drift."""
    findings: list[Finding] = []
    for page in sorted(docs.rglob(BATCH_PAGE)):
        findings.extend(check_batch_page(contract, page))
    for folder in sorted({page.parent for page in docs.rglob(METHOD_PAGE_GLOB)}):
        for method in contract.command_methods():
            page = folder / f"{method.replace('.', '-')}.md"
            if not page.exists():
                findings.append(Finding(page, 1, method, ["page missing"]))
        for page in sorted(folder.glob(METHOD_PAGE_GLOB)):
            findings.extend(check_method_page(contract, page))
        if (folder / "index.md").exists():
            findings.extend(check_overview_page(contract, folder / "index.md"))
    for page in sorted(docs.rglob("api-reference/data-types.md")):
        findings.extend(check_time_page(contract, page))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """The `b24-docs-drift` command: 0 every example fits, 1 the docs and the spec part ways, 2
    nothing to check or the check could not run."""
    parser = argparse.ArgumentParser(
        prog="b24-docs-drift", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("docs", type=Path, help="a checkout of the Bitrix24 REST docs")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI document")
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        print(f"b24-docs-drift: {args.docs} is not a directory", file=sys.stderr)
        return 2
    try:
        findings = check_docs(Contract.load(args.spec), args.docs)
    except (OSError, ValueError, yaml.YAMLError) as error:
        # Exit 1 means "the docs and the spec part ways": a check that could not run is not that.
        print(f"b24-docs-drift: could not check: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    if not findings:
        print(f"b24-docs-drift: no badge pages under {args.docs}", file=sys.stderr)
        return 2
    drifted = [f for f in findings if f.problems]
    for finding in findings:
        where = f"{finding.page.relative_to(args.docs)}:{finding.line}"
        print(f"{'DRIFT' if finding.problems else 'ok':5}  {where}  {finding.target}")
        for problem in finding.problems:
            print(f"       - {problem}")
    print(f"{len(findings)} examples checked, {len(drifted)} part ways with the spec")
    return 1 if drifted else 0


if __name__ == "__main__":
    raise SystemExit(main())

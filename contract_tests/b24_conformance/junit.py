"""The run as a JUnit XML report: what a CI (GitHub annotations, GitLab's Tests tab) reads.

One test suite, `b24-conformance`, whose test cases are named by operation and check:

* a passed case for each (operation, check) the run judged without a finding,
  `batch [POST json] response_schema_conformance`;
* a failed case for each violation, under its operation and check (`#2`, `#3` ... when one
  check found several violations on one operation), with one `<failure>`: so a run with N
  violations has exactly N failures;
* an `<error>` case for each error of the run or of a test (the suite could not check it,
  never counted as a failure), and for badges the cleanup left behind;
* a `<skipped>` case for each selected check that did not run (the budget, refused writes).

The counts on the suite are those of its cases. Built from the report only (masked material);
the command redacts the text once more and writes it atomically.
"""

from __future__ import annotations

import platform
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime

from b24_conformance.report import CLEANUP, Report
from b24_conformance.violations import Violation

SUITE = "b24-conformance"
# What XML 1.0 cannot carry, even escaped: control characters a portal's answer may hold.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _case(parent: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(parent, "testcase", classname=classname, name=name, time="0")


def _method(operation: str) -> str:
    """The class a CI groups cases under: the Bitrix method of the operation."""
    return f"{SUITE}.{operation.split(' [', 1)[0]}"


def _failure_text(found: Violation, test: str) -> str:
    return (
        f"{found.message}\n\nreproduce: {found.request}\nresponse: {found.response}\n"
        f"found by: {test}"
    )


def junit_xml(report: Report) -> str:
    """The JUnit XML document of `report`."""
    suite = ET.Element("testsuite", name=SUITE)
    properties = ET.SubElement(suite, "properties")
    verdict = report.verdict()
    for name, value in (
        ("target", report.target),
        ("mode", report.mode),
        ("profile", report.profile),
        ("writes", "yes" if report.writes else "no"),
        ("invalid data", "yes" if report.negative else "no"),
        ("pace", report.pace),
        ("verdict", verdict.text),
        ("exit status", str(verdict.status)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)

    failing = Counter((found.operation, found.check) for _, found in report.violations)
    for operation, check in report.ledger.pairs():
        if (operation, check) not in failing:
            _case(suite, _method(operation), f"{operation} {check}")
    for test in report.ledger.silent_passes():
        _case(suite, SUITE, test)

    numbered: Counter[tuple[str, str]] = Counter()
    for test, found in report.violations:
        key = (found.operation, found.check)
        numbered[key] += 1
        suffix = f" #{numbered[key]}" if failing[key] > 1 else ""
        case = _case(suite, _method(found.operation), f"{found.operation} {found.check}{suffix}")
        failure = ET.SubElement(case, "failure", message=found.message, type=found.check)
        failure.text = _failure_text(found, test)

    for test, message in report.errors:
        case = _case(suite, SUITE, test)
        ET.SubElement(case, "error", message=message, type="error").text = message
    cleanup = report.cleanup
    if cleanup is not None and not cleanup.clean:
        name = "cleanup" if report.mode != CLEANUP else "cleanup of earlier runs"
        message = f"badges left behind: {', '.join(cleanup.left) or 'unknown'}"
        if cleanup.error:
            message += f"; {cleanup.error}"
        case = _case(suite, SUITE, name)
        ET.SubElement(case, "error", message=message, type="cleanup").text = message
    elif cleanup is not None and report.mode == CLEANUP:
        case = _case(suite, SUITE, "cleanup of earlier runs")
        ET.SubElement(case, "system-out").text = "\n".join(cleanup.deleted) or "nothing to delete"

    for test, why in report.not_run:
        ET.SubElement(_case(suite, SUITE, test), "skipped", message=f"did not run: {why}")

    cases = suite.findall("testcase")
    counts = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    suite.attrib.update({k: str(v) for k, v in counts.items()})
    suite.attrib.update(time=f"{report.seconds:.3f}", timestamp=stamp, hostname=platform.node())
    root = ET.Element("testsuites", name=SUITE, time=f"{report.seconds:.3f}")
    root.attrib.update({k: str(v) for k, v in counts.items()})
    root.append(suite)
    ET.indent(root)
    document = ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
    return NOT_XML.sub("\ufffd", document)

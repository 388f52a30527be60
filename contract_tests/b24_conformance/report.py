"""What a run found, its verdict and exit status, for the console and `--report-dir/summary.md`.

Built only from masked material (violations, counts, the masked base URL); the command still
passes every text it writes through the run's redaction, as a last line of defence.

A verdict is one of five, each with its exit status, so that a CI never goes green by mistake:

* 0 CONFORMS: every selected check ran, and none found a violation;
* 1 DOES NOT CONFORM: violations were found (each named, with its check);
* 2 COULD NOT CHECK: a usage error, a portal that cannot be reached, refuses the credentials or
  is unavailable, the run's deadline, an error of the suite, an interrupted run (Ctrl-C,
  SIGTERM: also when it found violations, since it did not check everything), or a cleanup that
  did not finish (after violations the status stays 1, and the report says so: a write run that
  does not conform is worth a `--cleanup`);
* 3 INCOMPLETE: no violation, but some selected checks did not run: the request budget
  (`--max-requests`) was used up, or the portal refused the run's writes (403 ACCESS_DENIED,
  insufficient_scope); the report lists the checks that did not run.

`--cleanup` has its own two: 0 CLEANED (with the codes it deleted) and 2 FAILED.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from b24_conformance.ledger import Ledger
from b24_conformance.safety import CleanupResult
from b24_conformance.violations import Violation

OK, VIOLATIONS, NOT_CHECKED, INCOMPLETE = 0, 1, 2, 3
"""The exit statuses of the verdicts (see above): a CI tells them apart without parsing text."""
CHECK, CLEANUP = "check", "cleanup"  # what the run does: check the portal, or only clean up


class Verdict(NamedTuple):
    """The exit status and the one line that says it (`DOES NOT CONFORM: 2 violation(s)`)."""

    status: int  # the exit status
    text: str


@dataclass
class Report:
    """Everything a run found, collected as it goes: the plugin adds to it while the tests run,
    and the verdict is read only at the end. `target` is the masked base URL."""

    target: str
    profile: str
    writes: bool
    negative: bool
    pace: str
    mode: str = CHECK
    violations: list[tuple[str, Violation]] = field(default_factory=list)  # (test, violation)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (test, message)
    not_run: list[tuple[str, str]] = field(default_factory=list)  # (test, why)
    incomplete: list[str] = field(default_factory=list)  # why checks did not run, once each
    outcomes: Counter[str] = field(default_factory=Counter)
    interrupted: bool = False  # Ctrl-C or SIGTERM: what was found is reported, but exit is 2
    requests: Counter[str] = field(default_factory=Counter)
    cleanup: CleanupResult | None = None
    seconds: float = 0.0
    ledger: Ledger = field(default_factory=Ledger)

    def add_violations(self, test: str, violations: list[Violation]) -> None:
        """Add what `test` found; a finding already reported (same operation, check and
        message, by any test) is reported once, under the first test that found it."""
        seen = {(v.operation, v.check, v.message) for _, v in self.violations}
        for found in violations:
            if (found.operation, found.check, found.message) not in seen:
                self.violations.append((test, found))
                seen.add((found.operation, found.check, found.message))

    def did_not_run(self, test: str, why: str) -> None:
        """`test` was selected and did not run, because of `why` (the budget, refused writes)."""
        self.not_run.append((test, why))
        if why not in self.incomplete:
            self.incomplete.append(why)

    @property
    def budget_exhausted(self) -> bool:
        """Whether `--max-requests` kept checks from running (a raised budget would run them)."""
        return any("request budget" in why for why in self.incomplete)

    def verdict(self) -> Verdict:
        """The verdict of the report as it stands: an interruption, an unfinished cleanup or
        an error outranks CONFORMS, and a run that never reached its cleanup did not finish."""
        if self.mode == CLEANUP:
            return self._cleanup_verdict()
        found = len(self.violations)
        so_far = f" ({found} violation(s) so far)" if found else ""
        left = self.cleanup is not None and not self.cleanup.clean
        if self.interrupted:
            return Verdict(NOT_CHECKED, f"COULD NOT CHECK: interrupted{so_far}")
        if found:
            missing = f"; {len(self.not_run)} check(s) did not run" if self.not_run else ""
            unclean = "; the cleanup did not finish" if left else ""
            return Verdict(VIOLATIONS, f"DOES NOT CONFORM: {found} violation(s){missing}{unclean}")
        if left:
            return Verdict(
                NOT_CHECKED,
                "COULD NOT CHECK: the cleanup did not finish; run `b24-conformance --cleanup` "
                "to delete what is left",
            )
        if self.errors:
            return Verdict(NOT_CHECKED, f"COULD NOT CHECK: {self.errors[0][1]}")
        if self.not_run or self.incomplete:
            why = "; ".join(self.incomplete)
            count = len(self.not_run)
            return Verdict(INCOMPLETE, f"INCOMPLETE: {count} check(s) did not run ({why})")
        if self.cleanup is None:
            return Verdict(NOT_CHECKED, "COULD NOT CHECK: the run did not finish")
        return Verdict(OK, "CONFORMS")

    def _cleanup_verdict(self) -> Verdict:
        cleanup = self.cleanup
        if cleanup is None:
            why = self.errors[0][1] if self.errors else "the cleanup did not run"
            return Verdict(NOT_CHECKED, f"FAILED: {why}")
        if not cleanup.clean:
            return Verdict(NOT_CHECKED, f"FAILED: {self._cleanup()}")
        if not cleanup.deleted:
            return Verdict(OK, "CLEANED: earlier runs left nothing to delete")
        return Verdict(OK, f"CLEANED: {self._cleanup()}")

    def markdown(self) -> str:
        """`summary.md`: the verdict, what was checked, and each violation with a command that
        reproduces it. Not redacted here: the caller writes it through the run's scrub."""
        verdict = self.verdict().text
        if self.mode == CLEANUP:
            return "\n".join(
                [
                    "# Bitrix24 badge conformance cleanup",
                    "",
                    f"**{verdict}**",
                    "",
                    f"- target: `{self.target}`",
                    f"- requests: {sum(self.requests.values())}; wall time {self.seconds:.1f} s",
                    *self._cleanup_lines("- "),
                    "",
                ]
            )
        lines = [
            "# Bitrix24 badge conformance report",
            "",
            f"**{verdict}**",
            "",
            f"- target: `{self.target}`",
            f"- profile: {self.profile}; writes: {'yes' if self.writes else 'no (read-only)'}; "
            f"invalid data: {'yes' if self.negative else 'no'}; pace: {self.pace}",
            f"- checks: {self._checks()}; wall time {self.seconds:.1f} s",
            f"- requests: {sum(self.requests.values())} ({self._requests()})",
        ]
        if self.cleanup is not None:
            lines.append(f"- cleanup: {self._cleanup()}")
        lines += ["", "## What was checked", "", *CHECKED, ""]
        if self.violations:
            lines += ["## Violations", ""]
            for number, (test, found) in enumerate(self.violations, 1):
                lines += [
                    f"### {number}. {found.operation}: {found.check}",
                    "",
                    f"{found.message}",
                    "",
                    f"- found by: `{test}`",
                    "- reproduce:",
                    "",
                    "  ```sh",
                    f"  {found.request}",
                    "  ```",
                    "",
                    "- response:",
                    "",
                    "  ```",
                    f"  {found.response}",
                    "  ```",
                    "",
                ]
        if self.not_run:
            lines += ["## Checks that did not run", ""]
            lines += [f"- `{test}`: {why}" for test, why in self.not_run]
            lines.append("")
        if self.errors:
            lines += ["## Errors (the suite could not check these)", ""]
            lines += [f"- `{test}`: {message}" for test, message in self.errors]
            lines.append("")
        return "\n".join(lines)

    def console(self) -> str:
        """The end of a run on the terminal: the verdict first, then each violation; shorter
        than `markdown` (the codes the cleanup deleted are only there). Not redacted here."""
        lines = [f"\nb24-conformance: {self.verdict().text}", f"  target:   {self.target}"]
        if self.mode == CLEANUP:
            lines.append(f"  requests: {sum(self.requests.values())} in {self.seconds:.1f} s")
            lines += self._cleanup_lines("  ")
            return "\n".join(lines)
        lines.append(f"  checks:   {self._checks()} in {self.seconds:.1f} s (pace: {self.pace})")
        lines.append(f"  requests: {sum(self.requests.values())} ({self._requests()})")
        if self.cleanup is not None:  # the codes deleted are in summary.md; those left, here too
            lines.append(f"  cleanup:  {self._cleanup(codes=False)}")
        for number, (_, found) in enumerate(self.violations, 1):
            lines.append(f"\n{number}. {found.render()}")
        if self.not_run:
            lines.append(f"\ndid not run ({'; '.join(self.incomplete)}):")
            lines += [f"  - {test}" for test, _ in self.not_run]
        for test, message in self.errors:
            lines.append(f"\nerror in {test}: {message}")
        return "\n".join(lines)

    def _checks(self) -> str:
        judged = len(self.ledger.pairs())
        tests = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items()))
        return f"{judged} operation-check pair(s) judged; tests: {tests or 'none'}"

    def _requests(self) -> str:
        return ", ".join(f"{part} {n}" for part, n in sorted(self.requests.items())) or "none"

    def _cleanup(self, codes: bool = True) -> str:
        assert self.cleanup is not None
        whose = "left by earlier runs" if self.mode == CLEANUP else "of this run"
        text = f"{len(self.cleanup.deleted)} badge(s) {whose} deleted"
        if self.cleanup.deleted and codes:
            text += f" ({', '.join(map(repr, self.cleanup.deleted))})"
        if self.cleanup.left:
            text += f"; LEFT BEHIND: {', '.join(map(repr, self.cleanup.left))}"
        if self.cleanup.error:
            text += f"; FAILED: {self.cleanup.error}"
        return text

    def _cleanup_lines(self, indent: str) -> list[str]:
        if self.cleanup is None:
            return [f"{indent}cleanup: did not run"]
        lines = [f"{indent}deleted: {len(self.cleanup.deleted)}"]
        lines += [f"{indent}  - {code}" for code in self.cleanup.deleted]
        if self.cleanup.left:
            lines.append(f"{indent}left behind (still journaled): {len(self.cleanup.left)}")
            lines += [f"{indent}  - {code}" for code in self.cleanup.left]
        if self.cleanup.error:
            lines.append(f"{indent}stopped: {self.cleanup.error}")
        return lines


CHECKED = [
    "- every answer against the spec: declared status, content type, body schema (schemathesis),",
    "  no server error on valid input;",
    "- valid requests in every encoding (JSON, forms, GET query) are accepted;",
    "- the Bitrix envelope: `result` + `time` under 200, the error envelope under 4xx/5xx,",
    "  never an error under 200;",
    "- the `time` block: finish >= start, duration = finish - start, dates match the timestamps;",
    "- everything the portal says agrees: get answers the badge asked for, add answers what was",
    "  sent, get and list agree on every badge, list's total and next fit its pages;",
    "- wrong or missing credentials, and the webhook code under another user id, are refused",
    "  with 401/403 and the error envelope;",
    "- missing or invalid arguments are refused with a 4xx and the error envelope; long codes and",
    "  texts get no server error;",
    "- the generated client: its requests match the spec, its answers validate, the spec's",
    "  answers round-trip through its models;",
    "- with writes: a badge added is returned by get and list as added (string and language",
    "  map), delete removes it, get and delete after delete answer NOT_FOUND, a code cannot be",
    "  added twice (OpenAPI links, stateful).",
    "- the badge methods through batch (four batches read-only): each command's result, error,",
    "  time, total and next against the schemas the contract states for them",
    "  (`x-b24-command-results`), the same answers as direct calls, `halt` honoured, no 51st",
    "  command and no nested batch run; with writes, add, get, list and delete in batches.",
]

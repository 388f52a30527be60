"""What a run found, for the console and for `--report-dir/summary.md`.

Built only from masked material (violations, counts, the masked base URL); the command still
passes every text it writes through the target's redaction, as a last line of defence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from b24_conformance.safety import CleanupResult
from b24_conformance.violations import Violation


@dataclass
class Report:
    target: str
    profile: str
    writes: bool
    negative: bool
    pace: str
    violations: list[tuple[str, Violation]] = field(default_factory=list)  # (test, violation)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (test, message)
    outcomes: Counter[str] = field(default_factory=Counter)
    budget_exhausted: bool = False
    interrupted: bool = False  # Ctrl-C or SIGTERM: what was found is reported, but exit is 2
    requests: Counter[str] = field(default_factory=Counter)
    cleanup: CleanupResult | None = None
    seconds: float = 0.0

    def add_violations(self, test: str, violations: list[Violation]) -> None:
        seen = {(v.operation, v.check, v.message) for _, v in self.violations}
        for found in violations:
            if (found.operation, found.check, found.message) not in seen:
                self.violations.append((test, found))
                seen.add((found.operation, found.check, found.message))

    def verdict(self) -> str:
        if self.interrupted:
            found = f", {len(self.violations)} violation(s) so far" if self.violations else ""
            return f"INCOMPLETE: interrupted{found}"
        if self.violations:
            return f"DOES NOT CONFORM: {len(self.violations)} violation(s)"
        if self.errors:
            return "INCOMPLETE: the suite could not finish (see errors)"
        suffix = (
            " (request budget exhausted: some checks were skipped)" if self.budget_exhausted else ""
        )
        return "CONFORMS" + suffix

    def markdown(self) -> str:
        lines = [
            "# Bitrix24 badge conformance report",
            "",
            f"**{self.verdict()}**",
            "",
            f"- target: `{self.target}`",
            f"- profile: {self.profile}; writes: {'yes' if self.writes else 'no (read-only)'}; "
            f"invalid data: {'yes' if self.negative else 'no'}; pace: {self.pace}",
            f"- checks: {self._outcomes()}; wall time {self.seconds:.1f} s",
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
        if self.errors:
            lines += ["## Errors (the suite could not check these)", ""]
            lines += [f"- `{test}`: {message}" for test, message in self.errors]
            lines.append("")
        return "\n".join(lines)

    def console(self) -> str:
        lines = [f"\nb24-conformance: {self.verdict()}", f"  target:   {self.target}"]
        lines.append(f"  checks:   {self._outcomes()} in {self.seconds:.1f} s (pace: {self.pace})")
        lines.append(f"  requests: {sum(self.requests.values())} ({self._requests()})")
        if self.cleanup is not None:
            lines.append(f"  cleanup:  {self._cleanup()}")
        for number, (_, found) in enumerate(self.violations, 1):
            lines.append(f"\n{number}. {found.render()}")
        for test, message in self.errors:
            lines.append(f"\nerror in {test}: {message}")
        return "\n".join(lines)

    def _outcomes(self) -> str:
        return ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items())) or "none"

    def _requests(self) -> str:
        return ", ".join(f"{part} {n}" for part, n in sorted(self.requests.items())) or "none"

    def _cleanup(self) -> str:
        assert self.cleanup is not None
        text = f"{len(self.cleanup.deleted)} badge(s) of this run deleted"
        if self.cleanup.deleted:
            text += f" ({', '.join(map(repr, self.cleanup.deleted))})"
        if self.cleanup.left:
            text += f"; LEFT BEHIND: {', '.join(map(repr, self.cleanup.left))}"
        if self.cleanup.error:
            text += f"; FAILED: {self.cleanup.error}"
        return text


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

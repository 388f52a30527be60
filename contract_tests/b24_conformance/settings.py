"""What one run is: its target and how hard it looks. Set once, before the suite is collected.

The suite's modules build their schemathesis tests at import time, so the run's settings must
exist before pytest imports them; the plugin installs them in `pytest_configure`.
"""

from __future__ import annotations

from dataclasses import dataclass

from b24_conformance.target import Target


@dataclass(frozen=True)
class Profile:
    name: str
    examples: int  # generated cases per operation (and per mode)
    scenarios: int  # stateful scenarios
    steps: int  # steps per stateful scenario


PROFILES = {
    # Enough to exercise every operation and encoding once or twice: for CI against variants.
    "quick": Profile("quick", examples=4, scenarios=3, steps=5),
    # The default: a read-only run against a real portal stays near 100 requests.
    "standard": Profile("standard", examples=20, scenarios=10, steps=6),
    # Behind a flag: minutes against the emulator, far too many requests for a real portal.
    "deep": Profile("deep", examples=150, scenarios=60, steps=10),
}


@dataclass(frozen=True)
class RunSettings:
    target: Target
    profile: Profile
    negative: bool  # also send invalid data (JSON only), expecting rejection
    seed: int | None = None


_current: RunSettings | None = None


def install(settings: RunSettings) -> None:
    global _current
    _current = settings


def current() -> RunSettings:
    if _current is None:
        raise RuntimeError(
            "the conformance suite runs through b24-conformance (or with its pytest plugin, "
            "-p b24_conformance.plugin and --b24-base-url)"
        )
    return _current

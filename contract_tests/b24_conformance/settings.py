"""What one run is: what the user asked for (`Options`), and what the suite's tests receive
(`RunSettings`, through the plugin's fixtures; nothing in the suite reads settings at import).

`Options` is filled from the command line of `b24-conformance` or from the pytest options of
`-p b24_conformance.plugin` (`--b24-base-url`, `--b24-allow-writes`, ...): two spellings of the
same questions, answered in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from b24_conformance.oauth import OAuthGrant
from b24_conformance.target import Target


@dataclass(frozen=True)
class Profile:
    """How hard a run looks: generated cases per operation and the size of the stateful part."""

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
CLOUD_PACE = "50/2"  # the cloud's leaky bucket, the default pace for a portal


@dataclass(frozen=True)
class Options:
    """A run as the user asked for it. Without `base_url` or `oauth` the run starts the bundled
    emulator, which it checks with writes and invalid data (its data is the run's own). A
    `base_url` that is given but empty is a usage error, never the emulator: it is what a
    missing CI secret looks like."""

    base_url: str | None = field(default=None, repr=False)  # holds the webhook code
    oauth: OAuthGrant | None = None
    allow_writes: bool = False
    profile: str = "standard"
    negative: bool = False
    seed: int | None = None
    rate_limit: str | None = None  # BURST/PER_SECOND or none; default: by target
    max_requests: int | None = None
    deadline: float = 900.0  # seconds for the checks; the cleanup has its own
    cleanup_deadline: float = 120.0  # seconds for the cleanup (less after Ctrl-C or SIGTERM)
    journal: Path | None = None  # default: journal.default_path(); none for the bundled emulator

    @property
    def bundled(self) -> bool:
        """Whether the run checks an emulator it starts itself: no portal was named."""
        return self.base_url is None and self.oauth is None

    @property
    def writes(self) -> bool:
        """Whether the run may add and delete badges: only when asked, or on its own emulator."""
        return self.bundled or self.allow_writes

    @property
    def sends_invalid_data(self) -> bool:
        """Whether the run sends invalid data: only when asked, or to its own emulator."""
        return self.bundled or self.negative


@dataclass(frozen=True)
class RunSettings:
    """What the suite's tests are given: the target and how hard to look."""

    target: Target
    profile: Profile
    negative: bool  # also send invalid data (JSON only), expecting rejection
    seed: int | None = None

"""Put the contract into the b24-conformance distributions, from its one hand-written place.

In a clone, `../spec/` holds the contract (`openapi.yaml`) and its reader (`b24_spec`): both are
copied into the sdist and the wheel as the package `b24_spec`, the contract as its package data
(`b24_spec/openapi.yaml`, read through importlib.resources). A wheel built from the sdist finds
that copy at the sdist's root instead. Developer tools (`regenerate.py`) stay in the clone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DEVELOPER_ONLY = {"regenerate.py"}


class ContractHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # the clone's own environment imports ../spec directly (dev-mode-dirs)
        root = Path(self.root)
        clone = root.parent / "spec"
        if (clone / "openapi.yaml").is_file():
            package, contract = clone / "b24_spec", clone / "openapi.yaml"
        else:  # building the wheel from an unpacked sdist
            package, contract = root / "b24_spec", root / "b24_spec" / "openapi.yaml"
        if not contract.is_file():
            raise RuntimeError(f"the contract is missing: {contract}")
        for source in sorted(package.iterdir()):
            if source.suffix in (".py", ".typed") and source.name not in DEVELOPER_ONLY:
                build_data["force_include"][str(source)] = f"b24_spec/{source.name}"
        build_data["force_include"][str(contract)] = "b24_spec/openapi.yaml"

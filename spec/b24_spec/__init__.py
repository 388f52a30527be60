"""The badge contract (spec/openapi.yaml) and the tools that read it."""

from b24_spec.contract import SPEC_PATH, Contract, Operation

__all__ = ["SPEC_PATH", "Contract", "Operation"]

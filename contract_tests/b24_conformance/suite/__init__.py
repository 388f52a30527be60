"""The conformance suite's tests. They get their run from `b24_conformance.plugin`, through
fixtures: `b24-conformance` runs them, or `pytest --pyargs b24_conformance.suite -p
b24_conformance.plugin --b24-base-url ...`."""

"""The conformance suite's tests. They run through `b24-conformance`, which gives them a target."""

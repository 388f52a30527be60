"""b24-conformance: checks a Bitrix24 portal, and the generated client, against the badge contract.

Two ways in: the `b24-conformance` command (`cli.py`) and the pytest plugin
(`-p b24_conformance.plugin`). Both open a run the same way (`run.py`), so the suite started from
a user's own pytest is as safe as the command; the other modules are the parts of one run.
"""

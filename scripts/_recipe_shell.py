"""shellcheck for the shell of GitLab CI recipes, which no offline linter reads (scripts/lint-ci).

    python scripts/_recipe_shell.py RECIPE.yml...

Each item of every job's `before_script`, `script` and `after_script` is checked as a bash script
of its own (GitLab runs them in bash where the image has it, as the python images do). Exit status
0 when shellcheck is content with all of them, 1 otherwise, with its report and where it applies.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

SCRIPT_KEYS = ("before_script", "script", "after_script")


def check(recipe: Path) -> bool:
    shellcheck = shutil.which("shellcheck") or "shellcheck"
    clean = True
    for job, definition in yaml.safe_load(recipe.read_text(encoding="utf-8")).items():
        if not isinstance(definition, dict):
            continue
        for key in SCRIPT_KEYS:
            for index, script in enumerate(definition.get(key, [])):
                done = subprocess.run(
                    [shellcheck, "--shell=bash", "--severity=style", "--color=never", "-"],
                    input=script,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    clean = False
                    print(f"{recipe}: {job}.{key}[{index}]:\n{done.stdout}{done.stderr}")
    return clean


def main(paths: list[str]) -> int:
    results = [check(Path(path)) for path in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

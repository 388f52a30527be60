"""scripts/lint-ci, the lint step of ./scripts/test: clean on the project's CI files, and failing,
with the tool's own report, when a known problem is put into a copy of them.

Each problem is one that only the named tool finds (jactionlint runs actionlint's `correctness`
profile; zizmor the security audits), so a tool that stopped running would fail its case.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT = REPO / "scripts" / "lint-ci"

CI = ".github/workflows/ci.yml"
NIGHTLY = ".github/workflows/nightly-conformance.yml"
GITLAB = "ci-recipes/gitlab-ci.yml"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), str(root)], capture_output=True, text=True, timeout=300, check=False
    )


def copy_of_ci_files(tmp_path: Path) -> Path:
    root = tmp_path / "clone"
    shutil.copytree(REPO / ".github", root / ".github")
    shutil.copytree(REPO / "ci-recipes", root / "ci-recipes")
    return root


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_projects_ci_files_are_clean() -> None:
    done = lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr


PROBLEMS = [
    pytest.param(
        CI,
        "python-version: ${{ matrix.python }}",
        "python-version: ${{ matrix.pyton }}",
        'property "pyton" is not defined',
        id="jactionlint-expression-type",
    ),
    pytest.param(
        CI,
        "        run: .ci/run",
        "        run: cd $HOME/toolkit && .ci/run",
        "[shellcheck]",
        id="jactionlint-shellcheck-on-run-script",
    ),
    pytest.param(
        NIGHTLY,
        "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0",
        "actions/setup-python@v7",
        "unpinned-uses",
        id="zizmor-unpinned-action",
    ),
    pytest.param(
        NIGHTLY,
        "b24-conformance --cleanup --report-dir reports/cleanup",
        'b24-conformance --cleanup --report-dir "${{ github.event.inputs.profile }}"',
        "template-injection",
        id="zizmor-template-injection",
    ),
    pytest.param(
        CI,
        "          path: toolkit\n          persist-credentials: false\n",
        "          path: toolkit\n",
        "artipacked",
        id="zizmor-persisted-credentials",
    ),
    pytest.param(
        NIGHTLY,
        "\npermissions: {}\n",
        "\npermissions: write-all\n",
        "excessive-permissions",
        id="zizmor-excessive-permissions",
    ),
    pytest.param(
        GITLAB,
        'rm -rf "$toolkit"',
        "rm -rf $toolkit",
        "SC2086",
        id="shellcheck-gitlab-recipe",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "report"), PROBLEMS)
def test_a_problem_fails_the_lint_step_with_the_tools_report(
    tmp_path: Path, file: str, old: str, new: str, report: str
) -> None:
    root = copy_of_ci_files(tmp_path)
    assert lint(root).returncode == 0, "the copy is clean before the problem is put in"
    replace_once(root / file, old, new)
    done = lint(root)
    assert done.returncode == 1
    assert report in done.stdout + done.stderr

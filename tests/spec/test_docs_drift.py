"""The docs-drift command against the raw docs copy, and against copies broken on purpose."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from b24_spec.drift import main

GET_PAGE = "api-reference/crm/timeline/activities/configurable/badges/crm-activity-badge-get.md"
BATCH_PAGE = "settings/how-to-call-rest-api/batch.md"
LIST_PAGE = "api-reference/crm/timeline/activities/configurable/badges/crm-activity-badge-list.md"


@pytest.fixture
def docs_copy(docs_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "docs"
    shutil.copytree(docs_dir, copy)
    return copy


def edit(page: Path, old: str, new: str) -> None:
    text = page.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {page}"
    page.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_docs_examples_fit_the_spec(docs_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(docs_dir)]) == 0
    out = capsys.readouterr().out
    # Four method pages with a success and an error example, in Russian and English, plus the
    # overview's language map and the data-types page's `time`, in both languages; and the
    # batch page's three answers, in both languages.
    assert "26 examples checked, 0 part ways with the spec" in out
    assert out.count("  batch HTTP 200") == 6


def test_a_batch_answer_without_its_errors_is_drift(
    docs_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(docs_copy / BATCH_PAGE, '"result_error": [],', "")
    assert main([str(docs_copy)]) == 1
    out = capsys.readouterr().out
    assert f"DRIFT  {BATCH_PAGE}:336  batch HTTP 200" in out
    assert "'result_error' is a required property" in out


def test_a_changed_badge_type_is_drift(docs_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(docs_copy / GET_PAGE, '"type": "failure"', '"type": "info"')
    assert main([str(docs_copy)]) == 1
    out = capsys.readouterr().out
    assert f"DRIFT  {GET_PAGE}:250  crm.activity.badge.get HTTP 200" in out
    assert "'info' is not one of" in out


def test_a_new_error_status_is_drift(docs_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(docs_copy / GET_PAGE, "HTTP-статус: **400**", "HTTP-статус: **418**")
    assert main([str(docs_copy)]) == 1
    assert "the spec declares no JSON answer 418" in capsys.readouterr().out


def test_a_bare_list_result_is_drift(docs_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = docs_copy / LIST_PAGE
    edit(page, '"badges": [', '"_": [')
    assert main([str(docs_copy)]) == 1
    assert "'badges' is a required property" in capsys.readouterr().out


def test_a_broken_time_example_is_drift(
    docs_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        docs_copy / "api-reference/data-types.md",
        '"duration": 0.694180965423584',
        '"duration": "0.69"',
    )
    assert main([str(docs_copy)]) == 1
    assert "'0.69' is not of type 'number'" in capsys.readouterr().out


def test_a_missing_page_is_drift(docs_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (docs_copy / LIST_PAGE).unlink()
    assert main([str(docs_copy)]) == 1
    assert "page missing" in capsys.readouterr().out


def test_a_page_without_success_example_is_drift(
    docs_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(docs_copy / GET_PAGE, "HTTP-статус: **200**\n\n```json", "HTTP-статус: **200**\n\n```js")
    assert main([str(docs_copy)]) == 1
    assert "the page has no HTTP 200 JSON example" in capsys.readouterr().out


def test_no_pages_is_a_usage_error(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 2
    assert main([str(tmp_path / "absent")]) == 2


def test_console_script_runs(docs_dir: Path) -> None:
    script = Path(sys.executable).with_name("b24-docs-drift")
    done = subprocess.run([script, docs_dir], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 part ways" in done.stdout

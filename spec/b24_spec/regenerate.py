"""Regenerate the client from the spec, or check that the committed client is what it generates.

    scripts/regenerate           write generated_client/client-spec.json and .../_generated/
    scripts/regenerate --check   change nothing; exit 1 and show the diff if either differs

The client is generated from the contract's client view (b24_spec.client_view) with
openapi-python-client, both it and ruff pinned by uv.lock, into a temporary directory; the
result then replaces, or is compared with, the committed package. Same input and versions give
the same bytes on every machine, so any difference means the spec or the configuration changed
without a regeneration, or someone edited generated code by hand.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

from b24_spec.client_view import client_view, render
from b24_spec.contract import SPEC_PATH, Contract

ROOT = Path(__file__).resolve().parents[2]  # a developer tool: it runs in a clone
CLIENT = ROOT / "generated_client"
VIEW = CLIENT / "client-spec.json"
CONFIG = CLIENT / "generator.yaml"
PACKAGE = CLIENT / "b24_badge_client" / "_generated"
NOTICE = "README.md"
NOTICE_TEXT = """\
# Generated code: do not edit

Everything in this folder is written by `scripts/regenerate` with openapi-python-client from
`generated_client/client-spec.json`, the client's view of `spec/openapi.yaml`. CI fails when it
differs from what the spec generates (`scripts/regenerate --check`). To change it, change the
spec or `generated_client/generator.yaml` and run `scripts/regenerate`. Hand-written code lives
one level up, in `b24_badge_client/`.
"""


def check_config(path: Path) -> None:
    """Stop (SystemExit) on a key of generator.yaml that openapi-python-client does not know:
    its settings model ignores unknown keys, so a misspelt setting would silently do nothing."""
    from openapi_python_client.config import ConfigFile

    unknown = set(yaml.safe_load(path.read_text(encoding="utf-8"))) - set(ConfigFile.model_fields)
    if unknown:
        raise SystemExit(f"{path}: unknown openapi-python-client settings {sorted(unknown)}")


def generate(view_text: str, out: Path) -> None:
    """Run the generator on the view; `out` must not exist yet."""
    check_config(CONFIG)
    spec = out.parent / "client-spec.json"
    spec.write_text(view_text, encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # the pinned ruff the post hooks call
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    command = [
        str(Path(bin_dir) / "openapi-python-client"),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(out),
        "--fail-on-warning",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"openapi-python-client failed:\n{done.stdout}{done.stderr}")
    shutil.rmtree(out / ".ruff_cache", ignore_errors=True)
    (out / NOTICE).write_text(NOTICE_TEXT, encoding="utf-8")


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path.relative_to(root)


def diff(expected: Path, actual: Path, label: str) -> list[str]:
    """A unified diff of two trees (or files), as lines; empty when they are identical."""
    if expected.is_file() or actual.is_file():
        pairs = [(expected, actual, label)]
    else:
        names = sorted(
            set(_files(expected)) | set(_files(actual))
            if actual.exists()
            else set(_files(expected))
        )
        pairs = [(expected / name, actual / name, f"{label}/{name}") for name in names]
    lines: list[str] = []
    for want, have, name in pairs:
        if not want.exists():
            lines.append(f"committed but not generated: {name}\n")
            continue
        if not have.exists():
            lines.append(f"generated but not committed: {name}\n")
        elif filecmp.cmp(want, have, shallow=False):
            continue
        lines += difflib.unified_diff(
            _lines(have), _lines(want), f"committed {name}", f"generated {name}"
        )
    return lines


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []


def main(argv: Sequence[str] | None = None) -> int:
    """`scripts/regenerate [--check]`: 0 written or up to date, 1 with the diff when the
    committed client differs (--check); SystemExit when the generator fails."""
    parser = argparse.ArgumentParser(
        prog="scripts/regenerate",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    view_text = render(client_view(Contract.load()))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "_generated"
        generate(view_text, out)
        if args.check:
            lines = diff(
                Path(scratch) / "client-spec.json", VIEW, "generated_client/client-spec.json"
            )
            lines += diff(out, PACKAGE, "generated_client/b24_badge_client/_generated")
            if lines:
                sys.stdout.writelines(lines)
                print(
                    "\nThe committed client differs from what the spec generates: "
                    "run scripts/regenerate and commit the result."
                )
                return 1
            print("generated client is up to date with spec/openapi.yaml")
            return 0
        VIEW.write_text(view_text, encoding="utf-8")
        shutil.rmtree(PACKAGE, ignore_errors=True)
        shutil.copytree(out, PACKAGE)
        print(f"regenerated {PACKAGE.relative_to(ROOT)} from {SPEC_PATH.relative_to(ROOT)}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

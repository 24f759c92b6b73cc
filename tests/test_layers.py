"""Layering holds: import-linter contracts pass, and only infra/ reads the environment."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("domain", "application", "projections", "api")
ENVIRONMENT_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv"})


def reads_environment(source: str) -> bool:
    """True if code (not a comment or docstring) uses os.environ/os.getenv or imports them."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _is_os_environment(node):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os" and _names_environment(node):
            return True
    return False


def _names_environment(node: ast.ImportFrom) -> bool:
    return any(alias.name in ENVIRONMENT_NAMES for alias in node.names)


def _is_os_environment(node: ast.Attribute) -> bool:
    return node.attr in ENVIRONMENT_NAMES and isinstance(node.value, ast.Name) and node.value.id == "os"


def test_import_contracts_are_kept() -> None:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_infra_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for layer in LAYERS
        for path in sorted((ROOT / layer).rglob("*.py"))
        if reads_environment(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_environment_check_sees_reads_but_not_mentions() -> None:
    assert reads_environment("import os\nx = os.environ['A']")
    assert reads_environment("from os import getenv")
    assert not reads_environment('"""Settings decide, not os.environ."""\n# os.getenv is banned here')

"""The README's cheap-to-check claims stay true: every variable the settings read is documented
(with the default the code has, where a table names one), every file it names exists, and every
`make` target and `manage.py` command it names is there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# `code spans` and the lines of ``` blocks: where the README names files, commands, variables.
FENCED = re.findall(r"^```\n(.*?)^```", README, re.S | re.M)
SPANS = re.findall(r"`([^`\n]+)`", re.sub(r"^```\n.*?^```", "", README, flags=re.S | re.M))
CODE = SPANS + [line for block in FENCED for line in block.splitlines()]
ENV_READERS = {"env_bool", "env_int", "env_list", "get"}  # get: os.environ.get


def environment_reads(path: Path) -> dict[str, ast.expr | None]:
    """Variable name → default expression of every ``env_*("NAME", default)`` and
    ``os.environ.get("NAME", ...)`` in a module."""
    reads = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "get" and not (
            isinstance(func.value, ast.Attribute) and func.value.attr == "environ"
        ):
            continue
        first = node.args[0]
        if name in ENV_READERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            reads[first.value] = node.args[1] if len(node.args) > 1 and name != "get" else None
    return reads


SETTINGS_READS = environment_reads(ROOT / "karriere" / "settings.py")
COMMAND_READS = environment_reads(
    ROOT / "karriere" / "management" / "commands" / "ensure_superuser.py"
)


def test_the_settings_read_their_variables_from_the_environment():
    # Guards the parser below: without it the README check would pass on nothing.
    assert {"DJANGO_DEBUG", "DATABASE_URL", "PAGECACHE_TIMEOUT"} <= SETTINGS_READS.keys()
    assert "DJANGO_SUPERUSER_PASSWORD" in COMMAND_READS


def test_every_variable_the_code_reads_is_documented():
    named = {word for span in CODE for word in re.findall(r"[A-Z][A-Z0-9_]+", span)}
    missing = sorted((SETTINGS_READS.keys() | COMMAND_READS.keys()) - named)
    assert not missing, f"variables read by the code but not in README.md: {missing}"


def _table_rows():
    for line in README.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            yield re.findall(r"`([^`]+)`", cells[0]), re.findall(r"`([^`]+)`", cells[1])


def _constant(expression: ast.expr | None):
    """The default if it is a plain constant (``30``, ``24 * 60 * 60``, ``True``), else None."""
    if expression is None:
        return None
    try:
        return eval(compile(ast.Expression(expression), "settings", "eval"), {"__builtins__": {}})
    except NameError:  # depends on another setting (DEBUG, EMAIL_PORT, ...)
        return None


def test_the_defaults_in_the_tables_are_the_defaults_in_the_settings():
    compared, wrong = 0, []
    for variables, defaults in _table_rows():
        if len(variables) != len(defaults):
            continue
        for variable, documented in zip(variables, defaults, strict=True):
            default = _constant(SETTINGS_READS.get(variable))
            if isinstance(default, bool):
                compared += 1
                if documented != str(default).lower():
                    wrong.append((variable, documented, default))
            elif isinstance(default, int):
                compared += 1
                if documented != str(default):
                    wrong.append((variable, documented, default))
    assert compared > 30
    assert not wrong, f"README table default, settings default: {wrong}"


def _ignored_by_git() -> list[str]:
    lines = (ROOT / ".gitignore").read_text().splitlines()
    return [line.strip("/") for line in lines if line.startswith("/")]


MIME_TYPES = {"application", "image", "multipart", "text"}  # `multipart/alternative` is no path


def test_every_file_the_readme_names_exists():
    # Relative paths with a folder (`karriere/pagecache.py`, `deploy/varnish/`, a glob such as
    # `tests/newsletter/test_issue_*.py`); URLs and absolute paths start with "/" or a scheme.
    paths = {
        span
        for span in SPANS
        if re.fullmatch(r"[\w.-]+(/[\w.*-]+)+/?", span) and span.split("/")[0] not in MIME_TYPES
    }
    assert "karriere/settings.py" in paths
    generated = _ignored_by_git()
    missing = sorted(
        path
        for path in paths
        if not any(ROOT.glob(path.rstrip("/")))
        and not any(path.startswith(folder) for folder in generated)
    )
    assert not missing, f"paths in README.md that do not exist: {missing}"


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    named = {target for line in CODE for target in re.findall(r"\bmake ([a-z][\w-]*)", line)}
    assert {"run", "test", "lint"} <= named
    assert not named - targets, f"make targets in README.md missing: {sorted(named - targets)}"


def test_every_management_command_the_readme_names_exists():
    named = {
        command for line in CODE for command in re.findall(r"\bmanage\.py ([a-z][\w-]*)", line)
    }
    assert {"migrate", "flush_view_counts", "run_periodic_jobs"} <= named
    missing = sorted(named - get_commands().keys())
    assert not missing, f"manage.py commands in README.md that do not exist: {missing}"

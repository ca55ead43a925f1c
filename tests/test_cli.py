"""The CLI shell: lazy imports, --version, python -m, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from opsbook import __version__

HEAVY = ("pydantic", "jinja2", "mkdocs", "yaml", "git", "icalendar", "slack_sdk")


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"], ["--version"]], ids=" ".join)
def test_help_imports_nothing_heavy(argv):
    """`opsbook --help` must start fast: it may import Click and nothing of the pipeline."""
    code = ("import sys, runpy; sys.argv = ['opsbook', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('opsbook', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    assert "LOADED []" in done.stdout, done.stdout[-500:]


def test_python_dash_m_and_version():
    done = subprocess.run([sys.executable, "-m", "opsbook", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


def test_unknown_command_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "opsbook", "valdiate"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "validate" in done.stderr  # click suggests the near miss
    assert "Traceback" not in done.stderr

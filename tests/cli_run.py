"""Running the installed ``provenance`` command the way a user does, for the tests that
need a real process (exit codes, streams, signals): one helper, so every such test gets
the same clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "provenance"


def run(*args, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    """``provenance *args`` with no PROVENANCE_* setting, NO_COLOR or user configuration
    of the machine running the tests (a setting there must not change what they see)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    full_env.pop("NO_COLOR", None)
    full_env["XDG_CONFIG_HOME"] = str(Path(cwd or os.getcwd()) / "no-user-config")
    full_env.update(env or {})
    return subprocess.run(
        [str(BIN), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def json_lines(text: str) -> list[dict]:
    """The reports of --json output (JSON Lines)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def no_traceback(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "Exception ignored" not in stream, stream[-3000:]
        assert "Warning" not in stream, stream[-3000:]


def one_error_line(result: subprocess.CompletedProcess, fragment: str) -> None:
    """Ended before any check with one line on stderr naming ``fragment``, exit code 2."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr[-2000:])
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0], lines[0]

"""One file on the command line is checked in-process under a timer (no worker process);
several files still go through the worker pool. Start-up time itself is measured in
bench/run_all.py, never here."""

from __future__ import annotations

import contextlib
import os
import threading

import pytest

from provenance.cli import main as cli_main
from provenance.options import CheckOptions
from provenance.scanning.paths import Listing


def test_one_file_runs_in_process_with_its_time_limit(tmp_path, monkeypatch):
    import provenance.scanning.executors as executors

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for one file")

    monkeypatch.setattr(executors, "LocalPool", no_pool)
    fifo = tmp_path / "stuck.mp4"
    os.mkfifo(fifo)
    options = CheckOptions(detectors=(), timeout_s=1.5)
    try:
        (report,) = list(cli_main._check_reports(Listing([str(fifo)]), options))
        assert report.status == "error" and report.error == "timed out after 1.5 s"
        assert report.file.size_bytes == 0  # stat of the FIFO, for --resume
    finally:
        # unblock the reader left behind, so its thread ends; no reader: nothing to do
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    for t in threading.enumerate():
        if t.name == "provenance-check":
            t.join(30)


def test_several_files_use_the_worker_pool(samples, monkeypatch):
    import provenance.scanning.executors as executors

    started = []
    real = executors.LocalPool

    def pool(*args, **kwargs):
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(executors, "LocalPool", pool)
    still = str(samples / "clips" / "plain_still.jpg")
    reports = list(cli_main._check_reports(Listing([still, still]), CheckOptions(detectors=())))
    assert started and [r.status for r in reports] == ["ok", "ok"]


@pytest.mark.parametrize("timeout", [None, 30.0])
def test_in_process_result_equals_a_plain_check(samples, timeout):
    import provenance

    still = samples / "clips" / "sparkle_still.jpg"
    options = CheckOptions(timeout_s=timeout)
    (report,) = list(cli_main._check_reports(Listing([str(still)]), options))
    plain = provenance.check(still)
    assert report.verdict == plain.verdict and report.watermarks == plain.watermarks


# The console script, with an exit handler of its own: named "provenance", as the installed
# one is (only the command itself may skip the interpreter's teardown: cli.main._entry_point).
EXITING = """\
import atexit, sys
marker = sys.argv.pop(1)
atexit.register(lambda: open(marker, "w").write("exit handlers ran"))
from provenance.cli.main import main
main()
"""


@pytest.mark.parametrize(
    "args,code",
    [
        (["check", "--json", "credentials/gen_image.jpg"], 1),  # findings
        (["check", "--json", "clips/plain_still.jpg"], 0),
        (["check", "--no-such-flag"], 2),
    ],
)
def test_the_quick_exit_keeps_output_exit_code_and_exit_handlers(samples, tmp_path, args, code):
    """The command ends without the interpreter's teardown (docs/performance.md, start-up);
    what a caller sees must not change: every byte of output, the exit code, atexit
    handlers."""
    import subprocess
    import sys

    script = tmp_path / "provenance"
    script.write_text(EXITING)
    marker = tmp_path / "atexit.txt"
    args = [str(samples / a) if "/" in a else a for a in args]
    out = subprocess.run(
        [sys.executable, str(script), str(marker), *args], capture_output=True, text=True
    )
    assert out.returncode == code, out.stderr
    assert marker.read_text() == "exit handlers ran"
    if code != 2:
        lines = out.stdout.splitlines()
        assert len(lines) == 1 and lines[0].startswith("{") and lines[0].endswith("}")
        assert len(out.stdout) > 1000  # the whole report, flushed before the exit


def test_main_called_by_a_program_returns_instead_of_ending_the_process(monkeypatch, capsys):
    """Only the command itself ends the process early: a caller of ``main()`` (a test
    runner, a wrapper) gets its ordinary return or SystemExit, and keeps running."""
    import sys

    from provenance.cli import main as cli_main

    monkeypatch.setattr(cli_main.signal, "signal", lambda *a: None)  # keep pytest's handlers
    monkeypatch.setattr(sys, "argv", ["provenance", "--version"])
    try:
        cli_main.main()
    except SystemExit as stop:
        assert stop.code in (0, None)
    assert capsys.readouterr().out.startswith("provenance ")


COLD_CHECK = """\
import sys, runpy
sys.argv = ["provenance", "check", "--json", "--timeout", "0", sys.argv[1]]
try:
    runpy.run_module("provenance.cli.main", run_name="__main__")
except SystemExit:
    pass
from provenance.knowledge import schema
print("ENGINE", "provenance.scanning.engine" in sys.modules, file=sys.stderr)
print("PARSED", sorted({key[0] for key in schema._PARSED}), file=sys.stderr)
"""


@pytest.mark.e2e
def test_a_cold_check_of_a_still_loads_only_what_it_uses(samples):
    """What a cold ``provenance check`` of a plain still does before its report
    (docs/performance.md, start-up): no scan engine (its paths live in scanning/paths.py)
    and, of the knowledge tables, only the generators; the report's data version digests the
    other three unparsed. The same check still reports that digest."""
    import json
    import subprocess
    import sys

    from provenance.knowledge import tables
    from provenance.model import stamp

    still = samples / "clips" / "plain_still.jpg"
    out = subprocess.run(
        [sys.executable, "-c", COLD_CHECK, str(still)], capture_output=True, text=True
    )
    assert "ENGINE False" in out.stderr, out.stderr
    assert "PARSED ['generator']" in out.stderr, out.stderr
    report = json.loads(out.stdout)
    assert report["status"] == "ok"
    # the version made from the parsed tables, as before the shortcut
    assert report["data_version"] == stamp._with_other_data(tables.data_version().digest)


def test_every_dataclass_has_a_docstring():
    """A dataclass without one gets a docstring built from ``inspect.signature`` when its
    module is imported (~0.05 ms a class; 79 classes cost ~4 ms of each cold start)."""
    import ast
    from pathlib import Path

    import provenance

    missing = []
    for path in sorted(Path(provenance.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.ClassDef)
                and any("dataclass" in ast.unparse(d) for d in node.decorator_list)
                and ast.get_docstring(node) is None
            ):
                missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert not missing, missing

"""The command line as a newsroom or a pipeline uses it (issue 17): what a scan lists and
skips, --fail-on, stdout/stderr/-q/colour, --version, settings from files and variables
checked up front, and outputs that never double or silently mix runs. Real sample files,
the real command in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.cli_run import BIN, json_lines, one_error_line, run
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e  # the real command in a subprocess

CRED = SAMPLES / "credentials"
ROOT_CA = CRED / "ca" / "test_root.pem"
EXPECTED = json.loads((CRED / "EXPECTED.json").read_text("utf-8"))["samples"]
GEN = CRED / "gen_image.jpg"  # SynthGen c2pa.created, trainedAlgorithmicMedia: AI "yes"
STRIPPED = CRED / "stripped_manifest.jpg"  # gen_image.jpg minus its manifest: stripped "yes"
PLAIN = CRED / "camera_plain.jpg"  # camera EXIF only: nothing found, AI "unknown"
A1111 = SAMPLES / "metadata" / "a1111_sd15.png"  # A1111 parameters: AI "likely"
FAST = ("--detectors", "")
ESC = "\x1b["


@pytest.fixture()
def real_folder(tmp_path) -> Path:
    """A folder as people have them: media beside notes, keys, pages, system files, a
    hidden folder, upper-case extensions and a C2PA sidecar."""
    folder = tmp_path / "inbox"
    (folder / "day1").mkdir(parents=True)
    (folder / ".git" / "objects").mkdir(parents=True)
    shutil.copy(GEN, folder / "gen_image.jpg")
    shutil.copy(CRED / "gen_clip.mp4", folder / "day1" / "CLIP.MP4")
    shutil.copy(PLAIN, folder / "day1" / "camera_plain.jpg")
    shutil.copy(CRED / "sidecar_asset.jpg", folder / "sidecar_asset.jpg")
    shutil.copy(CRED / "sidecar_asset.c2pa", folder / "sidecar_asset.c2pa")
    (folder / "README.md").write_text("# inbox\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 64)
    shutil.copy(ROOT_CA, folder / "day1" / "root.pem")
    (folder / "day1" / "page.html").write_text("<html></html>")
    (folder / "notes.txt").write_text("call back\n")
    (folder / "empty").write_bytes(b"")
    shutil.copy(GEN, folder / ".git" / "objects" / "blob.jpg")
    shutil.copy(GEN, folder / ".hidden.jpg")
    return folder


# ---------------------------------------------------------------- what a scan checks


def test_folder_scan_checks_media_and_counts_the_rest(real_folder):
    result = run("scan", real_folder, "--json", *FAST, "--no-progress", "-j", "1")
    assert "Traceback" not in result.stderr
    names = sorted(Path(r["path"]).name for r in json_lines(result.stdout))
    assert names == ["CLIP.MP4", "camera_plain.jpg", "gen_image.jpg", "sidecar_asset.jpg"]
    assert result.returncode == 1, result.stderr  # findings, no errors: the notes are not files
    # hidden: .git, .DS_Store, .hidden.jpg; not media: README.md, root.pem, page.html,
    # notes.txt, empty; the sidecar is read with sidecar_asset.jpg
    assert "skipped: 3 hidden (--hidden scans them), 5 not media, 1 sidecar" in result.stderr


def test_sidecar_belongs_to_its_asset(real_folder):
    result = run("scan", real_folder, "--json", *FAST, "--no-progress", "-j", "1")
    (asset,) = [r for r in json_lines(result.stdout) if r["path"].endswith("sidecar_asset.jpg")]
    assert asset["c2pa"]["sidecar"].endswith("sidecar_asset.c2pa")
    want = EXPECTED["sidecar_asset.jpg"]["without_trust_anchor"]["state"]
    assert asset["c2pa"]["state"] == want


def test_hidden_entries_on_request_and_globs_ignore_case(real_folder):
    hidden = run("scan", real_folder, "--hidden", "--json", *FAST, "--no-progress", "-j", "1")
    names = sorted(Path(r["path"]).name for r in json_lines(hidden.stdout))
    assert ".hidden.jpg" in names and "blob.jpg" in names
    assert ".DS_Store" not in names  # hidden, but still not media
    clips = run("scan", real_folder, "--include", "*.mp4", "--json", *FAST, "--no-progress")
    assert [Path(r["path"]).name for r in json_lines(clips.stdout)] == ["CLIP.MP4"]
    left = run("scan", real_folder, "--exclude", "DAY1", "--json", *FAST, "--no-progress")
    assert not any("day1" in r["path"] for r in json_lines(left.stdout))


def test_a_file_named_explicitly_that_is_not_media_is_an_error(real_folder):
    result = run("scan", real_folder / "README.md", "--json", *FAST, "--no-progress")
    (report,) = json_lines(result.stdout)
    assert report["status"] == "error" and "not a recognised" in report["error"]
    assert result.returncode == 2
    checked = run("check", "--json", *FAST, real_folder / "notes.txt")
    assert checked.returncode == 2 and json_lines(checked.stdout)[0]["status"] == "error"


def test_nothing_to_scan_says_so(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.md").write_text("nothing here\n")
    result = run("scan", folder, *FAST, "--no-progress")
    assert result.returncode == 0, result.stderr
    # one line, not a table of zeros
    assert result.stdout == f"no media files under {folder} (skipped: 1 not media)\n"


def test_scan_lists_flagged_and_failed_files_with_full_names(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(GEN, folder / "gen_image.jpg")
    shutil.copy(A1111, folder / "a1111_sd15.png")
    shutil.copy(PLAIN, folder / "camera_plain.jpg")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 8)
    table = SAMPLES / "generators.toml"
    result = run("scan", folder, *FAST, "--generators", table, "--no-progress", "-j", "1")
    assert result.returncode == 2, result.stderr
    out = result.stdout
    assert "2 flagged, 1 failed of 4 file(s):" in out
    lines = out.splitlines()
    (header,) = [
        i
        for i, line in enumerate(lines)
        if line.split() == ["AI-generated", "marks", "stripped", "generator", "file"]
    ]
    rows = lines[header + 1 : header + 4]
    assert rows[0].split()[0] in ("yes", "likely") and rows[0].endswith("a1111_sd15.png")
    # The test generator's whole name (36 characters; the old table cut at 23).
    (synthgen,) = tomllib.loads(table.read_text("utf-8"))["generator"]
    assert len(synthgen["name"]) > 30 and "…" not in out
    assert synthgen["name"] in rows[1] and rows[1].split()[0] == "yes"
    assert rows[1].endswith(str(folder / "gen_image.jpg"))
    assert rows[2].split()[0] == "error" and str(folder / "broken.mp4") + ": " in rows[2]
    assert "camera_plain.jpg" not in out.split("file(s):")[-1]


# ------------------------------------------------------------------------ --fail-on


@pytest.mark.parametrize(
    ("threshold", "codes"),
    [  # exit codes for: gen_image (AI yes), stripped_manifest (stripped yes), camera_plain
        ("likely", (1, 1, 0)),
        ("yes", (1, 1, 0)),
        ("ai", (1, 0, 0)),
        ("stripped", (0, 1, 0)),
        ("unknown", (1, 1, 1)),
        ("never", (0, 0, 0)),
    ],
)
def test_fail_on_thresholds(threshold, codes):
    got = tuple(
        run("check", *FAST, "-q", "--fail-on", threshold, f).returncode
        for f in (GEN, STRIPPED, PLAIN)
    )
    assert got == codes


def test_fail_on_never_still_fails_errors(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff")
    assert run("check", *FAST, "-q", "--fail-on", "never", bad).returncode == 2
    assert run("scan", tmp_path, *FAST, "-q", "--fail-on", "never").returncode == 2


def test_exit_codes_and_thresholds_are_documented():
    for command in ("check", "scan"):
        text = " ".join(run(command, "--help").stdout.split())
        assert "Exit codes: 0" in text and "130 interrupted" in text
        for name in ("likely", "yes", "stripped", "never", "unknown", "ai"):
            assert f"{name}:" in text
    docs = (SAMPLES.parent / "docs" / "cli.md").read_text("utf-8")
    assert "--fail-on" in docs and "| `2` |" in docs


# ------------------------------------------------------- streams, quiet, colour, version


def test_errors_to_stderr_report_to_stdout_and_quiet(tmp_path):
    shutil.copy(GEN, tmp_path / "gen_image.jpg")
    json_run = run("scan", tmp_path, "--json", *FAST, "--no-progress")
    (report,) = json_lines(json_run.stdout)  # stdout is JSON Lines only
    assert "Scanned 1 file(s)" in json_run.stderr
    readable = run("scan", tmp_path, *FAST, "--no-progress")
    assert "Scanned 1 file(s)" in readable.stdout and not readable.stderr
    refused = run("check", *FAST, "--detectors", "nonsense", GEN)
    one_error_line(refused, "unknown detector")
    assert refused.stdout == ""
    for args in (("scan", tmp_path, *FAST), ("check", *FAST, GEN)):
        quiet = run(*args, "-q")
        assert quiet.returncode == 1 and quiet.stdout == "" and quiet.stderr == ""
    quiet_json = run("check", *FAST, "-q", "--json", GEN)
    assert json_lines(quiet_json.stdout)[0]["path"] == str(GEN)


def _on_a_terminal(*args, env=None) -> str:
    """stdout of the command when it is a terminal (a pseudo-terminal)."""
    import pty

    main, child = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env or {})
    proc = subprocess.Popen(
        [str(BIN), *map(str, args)], stdout=child, stderr=subprocess.DEVNULL, env=full_env
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_color_flag_and_no_color():
    always = run("check", *FAST, "--color", "always", GEN)
    assert ESC in always.stdout
    assert ESC not in run("check", *FAST, GEN).stdout  # a pipe: auto means none
    assert ESC not in run("check", *FAST, "--color", "never", GEN).stdout
    # On a terminal, auto means colour unless NO_COLOR is set.
    assert ESC in _on_a_terminal("check", *FAST, GEN)
    assert ESC not in _on_a_terminal("check", *FAST, GEN, env={"NO_COLOR": "1"})
    # --color always is an explicit request: it beats NO_COLOR
    assert ESC in run("check", *FAST, "--color", "always", GEN, env={"NO_COLOR": "1"}).stdout


def test_version_lists_components_and_data():
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    import provenance

    assert out.startswith(f"provenance {provenance.__version__} ")
    for dist in ("c2pa-python", "opencv-python-headless", "av", "rapidocr", "onnxruntime"):
        (line,) = [x for x in out.splitlines() if x.split()[:1] == [dist]]
        assert version(dist) in line
    assert "generators.toml" in out and "weights.toml" in out and "data version " in out


# ------------------------------------------------------------ settings, checked up front


def test_settings_from_provenance_toml_pyproject_user_file_and_environment(tmp_path):
    """Trust anchors set in each place make gen_image.jpg's signer trusted; without them
    it is only valid (EXPECTED.json). Paths in a file are relative to that file."""
    trusted = EXPECTED["gen_image.jpg"]["with_test_root"]["state"]
    untrusted = EXPECTED["gen_image.jpg"]["without_trust_anchor"]["state"]
    assert trusted != untrusted
    work = tmp_path / "work"
    (work / "certs").mkdir(parents=True)
    shutil.copy(ROOT_CA, work / "certs" / "root.pem")

    def state(**kw) -> str:
        result = run("check", "--json", *FAST, GEN, cwd=work, **kw)
        assert "Traceback" not in result.stderr, result.stderr
        return json_lines(result.stdout)[0]["c2pa"]["state"]

    assert state() == untrusted
    (work / "provenance.toml").write_text('trust_anchors = "certs/root.pem"\n')
    assert state() == trusted
    (work / "provenance.toml").unlink()
    (work / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.provenance]\ntrust_anchors = "certs/root.pem"\n'
    )
    assert state() == trusted
    (work / "pyproject.toml").unlink()
    user = work / "no-user-config" / "provenance"
    user.mkdir(parents=True)
    (user / "config.toml").write_text(f'trust_anchors = "{ROOT_CA}"\n')
    assert state() == trusted
    (user / "config.toml").unlink()
    assert state(env={"PROVENANCE_TRUST_ANCHORS": str(ROOT_CA)}) == trusted


def test_flags_win_over_settings_and_scan_defaults_apply(tmp_path):
    work = tmp_path / "work"
    (work / "media").mkdir(parents=True)
    shutil.copy(GEN, work / "media" / "gen_image.jpg")
    shutil.copy(CRED / "gen_clip.mp4", work / "media" / "gen_clip.mp4")
    (work / "provenance.toml").write_text(
        'fail_on = "never"\ninclude = ["*.MP4"]\ndetectors = []\n'
    )
    result = run("scan", "media", "--json", "--no-progress", cwd=work)
    assert [Path(r["path"]).name for r in json_lines(result.stdout)] == ["gen_clip.mp4"]
    assert result.returncode == 0, result.stderr  # fail_on = "never" from the file
    flag = run("scan", "media", "--json", "--no-progress", "--fail-on", "likely", cwd=work)
    assert flag.returncode == 1
    env = run("scan", "media", "-q", env={"PROVENANCE_FAIL_ON": "yes"}, cwd=work)
    assert env.returncode == 1  # the variable wins over the file
    table = SAMPLES / "generators.toml"  # the project's test generator, id "synthgen"
    (work / "provenance.toml").write_text(f'generators = ["{table}"]\n')
    named = run("check", "--json", *FAST, GEN, cwd=work)
    assert json_lines(named.stdout)[0]["verdict"]["generator"] == "synthgen", named.stderr
    assert json_lines(run("check", "--json", *FAST, GEN).stdout)[0]["verdict"]["generator"] != (
        "synthgen"
    )
    (work / "provenance.toml").write_text('depth = "quick"\n')
    quick = run("check", "--json", *FAST, work / "media" / "gen_image.jpg", cwd=work)
    assert json_lines(quick.stdout)[0]["coverage"]["depth"] == "quick"
    full = run("check", "--json", *FAST, "--depth", "full", GEN, cwd=work)
    assert json_lines(full.stdout)[0]["coverage"]["depth"] == "full"


def test_bad_settings_fail_once_up_front(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    media = work / "media"
    media.mkdir()
    for i in range(3):
        shutil.copy(GEN, media / f"gen_{i}.jpg")
    not_pem = work / "roots.pem"
    not_pem.write_text("these are not certificates\n")
    one_error_line(run("scan", media, "--trust-anchors", not_pem, *FAST), "no PEM certificate")
    one_error_line(run("check", GEN, "--trust-anchors", work / "nope.pem"), "cannot read")
    broken = work / "gens.toml"
    broken.write_text("[[generator]\nid = ")
    one_error_line(run("scan", media, "--generators", broken, *FAST), "--generators")
    out = work / "out.jsonl"
    late = run("scan", media, "-o", out, "--html", "/proc/report.html", *FAST)
    one_error_line(late, "cannot write --html")
    assert not out.exists() or out.read_text() == ""  # before the work: nothing was checked
    one_error_line(run("scan", media, "-o", "/proc/out.jsonl", *FAST), "cannot write")
    (work / "provenance.toml").write_text('trust_anchors = "roots.pem"\n')
    from_file = run("scan", "media", *FAST, cwd=work)
    one_error_line(from_file, "no PEM certificate")
    assert "provenance.toml" in from_file.stderr
    (work / "provenance.toml").write_text("jobs = 'many'\n")
    one_error_line(run("scan", "media", cwd=work), "jobs: expected an integer")
    (work / "provenance.toml").write_text("trust = 'x'\n")
    one_error_line(run("scan", "media", cwd=work), "unknown setting 'trust'")
    (work / "provenance.toml").write_text("[broken\n")
    one_error_line(run("check", GEN, cwd=work), "not valid TOML")


# ------------------------------------------------------------------------- -o, resume


def test_output_is_new_unless_force_append_or_resume(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(GEN, folder / "gen_image.jpg")
    shutil.copy(PLAIN, folder / "camera_plain.jpg")
    out = tmp_path / "scan.jsonl"
    assert run("scan", folder, "-o", out, *FAST, "-q").returncode == 1
    first = out.read_text("utf-8")
    assert len(first.splitlines()) == 2
    again = run("scan", folder, "-o", out, *FAST)
    one_error_line(again, "exists; --force replaces it")
    assert out.read_text("utf-8") == first  # untouched
    assert run("scan", folder, "-o", out, "--force", *FAST, "-q").returncode == 1
    assert len(out.read_text("utf-8").splitlines()) == 2
    assert run("scan", folder, "-o", out, "--append", *FAST, "-q").returncode == 1
    assert len(out.read_text("utf-8").splitlines()) == 4
    one_error_line(run("scan", folder, "--force", *FAST), "--force needs --output")
    one_error_line(run("scan", folder, "-o", out, "--force", "--resume", *FAST), "one of")
    text = " ".join(run("scan", "--help").stdout.split())
    assert "refused unless --force" in text and "--append" in text


def test_resume_reuses_only_reports_made_the_same_way(tmp_path):
    """A metadata-only pass resumed with a detector must not keep the metadata-only answers;
    the same options reuse every stored report."""
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(GEN, folder / "gen_image.jpg")
    shutil.copy(PLAIN, folder / "camera_plain.jpg")
    out = tmp_path / "scan.jsonl"
    assert run("scan", folder, "-o", out, *FAST, "-q").returncode == 1
    stored = json_lines(out.read_text("utf-8"))
    for report in stored:
        assert report["tool_version"] and report["data_version"]
        assert report["options"]["detectors"] == []
    same = run("scan", folder, "-o", out, "--resume", *FAST, "--no-progress")
    assert "Skipped 2 file(s)" in same.stdout and "Scanned 0 file(s)" in same.stdout
    assert len(out.read_text("utf-8").splitlines()) == 2
    other = run("scan", folder, "-o", out, "--resume", "--detectors", "invisible", "--no-progress")
    assert "Scanned 2 file(s)" in other.stdout, other.stdout + other.stderr
    assert "Checked 2 file(s) again" in other.stdout
    lines = json_lines(out.read_text("utf-8"))
    assert len(lines) == 4 and all(r["options"]["detectors"] == ["invisible"] for r in lines[2:])
    # A stored report from another tool version is not reused either.
    edited = [dict(r, tool_version="0.0.1") for r in lines[2:]]
    out.write_text("".join(json.dumps(r) + "\n" for r in edited))
    again = run("scan", folder, "-o", out, "--resume", "--detectors", "invisible", "--no-progress")
    assert "Checked 2 file(s) again" in again.stdout

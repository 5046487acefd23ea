"""One file in, one report out: probe → credentials → metadata → pixels → stripping → verdict.

``check`` never raises for a bad file. Anything a reader or decoder throws
becomes ``status: error`` with a one-line reason; the traceback is kept only
when PROVENANCE_DEBUG is set, for developers.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import time
from pathlib import Path

from provenance.detectors.base import DetectorResult, FileContext, FrameDetector
from provenance.frames import FrameSource
from provenance.fusion import verdict
from provenance.model.records import Evidence
from provenance.model.report import FileFacts, Report
from provenance.options import CheckOptions
from provenance.readers import metadata
from provenance.readers.credentials import reader as credentials
from provenance.readers.probe import ProbeError, probe
from provenance.rules import container, stripping
from provenance.rules import credentials as credential_rules
from provenance.rules import metadata as metadata_rules

# Pixel detectors by option name; imported only when enabled, so a check that needs
# no OCR loads no OCR model.
DETECTORS = {
    "visible": "provenance.detectors.visible.detector:VisibleDetector",
    "invisible": "provenance.detectors.invisible.detector:InvisibleDetector",
    "removal": "provenance.detectors.removal.detector:RemovalDetector",
}


def check(path: str | os.PathLike, options: CheckOptions | None = None, **kwargs) -> Report:
    opts = options if options is not None else CheckOptions.from_kwargs(**kwargs)
    started = time.perf_counter()
    report = Report(path=os.fsdecode(path))
    try:
        _analyse(report, opts)
    except ProbeError as exc:
        report.fail(str(exc))
    except MemoryError:
        report.fail("ran out of memory while analysing the file")
    except Exception as exc:  # a bad file must never stop a scan
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        report.fail(f"internal error: {type(exc).__name__}: {exc}")
    report.elapsed_s = round(time.perf_counter() - started, 4)
    return report


def _analyse(report: Report, opts: CheckOptions) -> None:
    path = report.path
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise ProbeError("file not found") from exc
    except OSError as exc:
        raise ProbeError(f"cannot stat file: {exc.strerror or exc}") from exc
    report.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime)
    report.media = probe(path)
    report.c2pa = credentials.read(path, report.media.mime, opts.trust_anchors, opts.allow_network)
    report.metadata = metadata.read(path, report.media)

    evidence: list[Evidence] = []
    evidence += credential_rules.from_c2pa(report.c2pa)
    evidence += metadata_rules.from_metadata(report.metadata, report.c2pa)
    evidence += container.from_container(report.media, report.metadata)
    results = _run_pixel_detectors(report, opts)
    for result in results:
        report.watermarks.extend(result.watermarks)
        evidence.extend(result.evidence)
    evidence += stripping.infer(evidence, report.c2pa)
    evidence += stripping.missing_stamp(
        evidence, "visible" in opts.detectors and report.media.kind == "video"
    )
    attributed = verdict.fuse(evidence, report.c2pa)
    if attributed.ai_generated in ("yes", "likely"):
        evidence += stripping.stripping_evidence(
            attributed.generator, report.media, report.metadata, report.c2pa.state
        )
    report.evidence = evidence
    report.verdict = verdict.fuse(evidence, report.c2pa)
    if opts.evidence_dir:
        _write_evidence_images(report, results, opts.evidence_dir)


def _load_detector(name: str) -> FrameDetector | None:
    target = DETECTORS.get(name)
    if not target:
        return None
    module_name, _, cls_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None  # detector not built into this version
        raise
    return getattr(module, cls_name)()


def _run_pixel_detectors(report: Report, opts: CheckOptions) -> list[DetectorResult]:
    media = report.media
    if media.kind not in ("image", "video") or not opts.detectors:
        return []
    detectors = [d for d in (_load_detector(n) for n in opts.detectors) if d is not None]
    if not detectors:
        return []
    frames = FrameSource(report.path, media, opts.sample_fps, opts.max_frames)
    if not frames.indices:
        # Still usable (credentials, metadata), but say why no pixel was looked at.
        report.metadata.problems.append(
            f"the {media.kind} declares no usable frame count (zero or absurd); "
            "no frames were sampled for the pixel detectors"
        )
        return []
    context = FileContext(report.path, media, opts, frames, report.c2pa, report.metadata)
    for det in detectors:
        det.start(context)
    analysed = 0
    for frame in frames:
        analysed += 1
        for det in detectors:
            det.feed(frame)
    media.frames_analyzed = analysed
    if analysed == 0 and frames.indices:
        raise ProbeError(f"no {media.kind} frame could be decoded (truncated or corrupt?)")
    return [det.finish() for det in detectors]


def _write_evidence_images(report: Report, results: list[DetectorResult], root: str) -> None:
    import cv2

    images = {name: img for r in results for name, img in r.images.items()}
    if not images:
        return
    folder = evidence_folder(root, report.path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in images.items():
        cv2.imwrite(str(folder / f"{_safe_name(name)}.png"), image)


def evidence_folder(root: str | os.PathLike, path: str) -> Path:
    """Where a file's evidence images go: its name, made safe, plus a short hash of its full
    path, so files with the same name in different folders never share a folder."""
    tag = hashlib.sha1(os.fsencode(os.path.abspath(path))).hexdigest()[:8]
    return Path(root) / f"{_safe_name(Path(path).name)}-{tag}"


def _safe_name(text: str) -> str:
    """At most 120 bytes (not characters: 83 CJK characters are 249 bytes, past NAME_MAX
    with the hash added)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    return safe.encode("utf-8", "surrogateescape")[:120].decode("utf-8", "ignore") or "file"

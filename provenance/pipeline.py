"""One file in, one report out. The stages, in order:

1. readers: file facts, what the file is (probe), Content Credentials, metadata;
2. detectors: sampled frames in, observations out (pixels are decoded once, for all);
3. evidence rules: facts and observations in, evidence records out;
4. attribution: is it AI, and whose output (run once);
5. stripping rules: the same plus the attribution, stripping evidence out;
6. verdict: attribution and stripping evidence in words.

``check`` never raises for a bad file. Anything a reader or decoder throws becomes
``status: error`` with a one-line reason; the traceback is kept only when PROVENANCE_DEBUG is
set, for developers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from provenance import evidence_images, rules
from provenance.detectors.base import FileContext, FrameDetector
from provenance.detectors.base import load as load_detectors
from provenance.frames import Frame, FrameSource, formats
from provenance.fusion.attribution import attribute
from provenance.fusion.verdict import decide
from provenance.knowledge import tables
from provenance.model.records import Coverage, Evidence
from provenance.model.report import FileFacts, Report
from provenance.model.stamp import stamp, utc_now
from provenance.options import QUICK_MAX_FRAMES, CheckOptions
from provenance.readers import metadata
from provenance.readers.credentials import reader as credentials
from provenance.readers.probe import ProbeError, probe

# Report order of evidence sources: credentials first, the stripping analysis last.
_SOURCE_ORDER = (
    "c2pa",
    "xmp",
    "metadata",
    "container",
    "visible-watermark",
    "invisible-watermark",
    "stripping",
)


def check(path: str | os.PathLike, options: CheckOptions | None = None, **kwargs) -> Report:
    opts = usable_options(options if options is not None else CheckOptions.from_kwargs(**kwargs))
    started = time.perf_counter()
    report = Report(path=os.fsdecode(path), checked_at=utc_now())
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
    stamp(report, opts)  # tool and data versions, options, SHA-256 (streamed)
    report.elapsed_s = round(time.perf_counter() - started, 4)
    return report


def usable_options(opts: CheckOptions) -> CheckOptions:
    """Refuse, with a clear message, options a check would misread: a string for
    ``detectors`` would be split into letters ("visible" -> v, i, s, ...)."""
    if isinstance(opts.detectors, str):
        raise TypeError(
            f"detectors takes a sequence of names, e.g. ({opts.detectors!r},), not a string"
        )
    return opts


def check_with_limit(
    path: str | os.PathLike,
    options: CheckOptions,
    run: Callable[[str | os.PathLike, CheckOptions], Report] = check,
) -> Report:
    """``check`` in this process under ``options.timeout_s``, for a caller about to exit
    (the command line checking one file): the check runs in a daemon thread and at the
    deadline the report is ``timed out``, the thread left behind for the exit to end.

    Why not always: a left-behind thread keeps its CPU, memory and open file, which a batch
    cannot afford (scans and several files use the worker pool, which kills and replaces a
    stuck worker); and a native crash here takes the caller with it. Starting a worker
    process costs a second interpreter and the imports again (docs/performance.md)."""
    if not options.timeout_s:
        return run(path, options)
    import threading

    done: list[Report] = []
    worker = threading.Thread(
        target=lambda: done.append(run(path, options)), name="provenance-check", daemon=True
    )
    worker.start()
    worker.join(options.timeout_s)
    if done:
        return done[0]
    report = Report(path=os.fsdecode(path))
    report.fail(f"timed out after {options.timeout_s:g} s")
    stamp(report, options, digest=False)  # the file that hung the check is not read again
    try:
        st = os.stat(path)  # FIFOs and hung mounts stat without blocking
        report.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime)
    except OSError:
        pass
    return report


def _analyse(report: Report, opts: CheckOptions) -> None:
    tables.use_extra_files(**opts.table_files())  # the knowledge this check is made with
    opened: list[Any] = []  # the container the probe opened for the decode (readers/probe.py)
    try:
        facts = _read(report, opts, opened)
        report.coverage.depth = opts.depth
        frames = _frame_source(facts, opts, report.coverage, opened)
        facts.observations, facts.detectors_run = _detect(facts, frames, opts)
    finally:
        for container in opened:  # the decode closes what it used; this, what it did not
            container.close()
    if frames is not None and facts.media.frames_analyzed:
        report.coverage.pixels = "keyframes" if frames.keyframes_only else "sampled"
    evidence, marks = rules.run("evidence", facts)
    attribution = attribute(evidence)
    judged = rules.Judged.of_facts(facts, evidence, attribution)
    stripping, more_marks = rules.run("stripping", judged)
    report.evidence = _in_report_order(evidence + stripping)
    report.watermarks = marks + more_marks
    report.verdict = decide(attribution, report.evidence, facts.c2pa)
    if opts.depth == "quick":
        _may_change(report, facts, frames, opts)
    if opts.evidence_dir and frames is not None:
        images = evidence_images.draw(report.evidence, report.watermarks, frames)
        evidence_images.write(images, opts.evidence_dir, report.path)


def _read(report: Report, opts: CheckOptions, opened: list[Any]) -> rules.Facts:
    path = report.path
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise ProbeError("file not found") from exc
    except OSError as exc:
        raise ProbeError(f"cannot stat file: {exc.strerror or exc}") from exc
    report.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime)
    report.media = probe(path, opened if opts.detectors_to_run() else None)
    report.c2pa = credentials.read(
        path,
        report.media.mime,
        opts.trust_anchors,
        opts.allow_network,
        opts.bundled_trust,
        opts.trust_allowed_list,
    )
    report.metadata = metadata.read(path, report.media)
    return rules.Facts(path, report.media, report.c2pa, report.metadata, opts)


def _frame_source(
    facts: rules.Facts, opts: CheckOptions, coverage: Coverage, opened: list[Any]
) -> FrameSource | None:
    media = facts.media
    if media.kind not in ("image", "video") or not opts.detectors_to_run():
        return None
    quick = opts.depth == "quick"
    if media.kind == "image":
        if not formats.can_decode(media.mime):
            # The file is fine and its credentials and metadata were read: say so, no error.
            facts.metadata.problems.append(formats.undecodable_note(media.mime))
            coverage.reasons.append(formats.undecodable_note(media.mime))
            return None
        if quick:
            coverage.reasons.append("quick depth: the image's pixels were not analysed")
            return None
    most = min(QUICK_MAX_FRAMES, opts.max_frames) if quick else opts.max_frames
    frames = FrameSource(
        facts.path,
        media,
        opts.sample_fps,
        most,
        keyframes_only=quick,
        container=opened[0] if opened else None,
    )
    if not frames.indices:
        # Still usable (credentials, metadata), but say why no pixel was looked at.
        facts.metadata.problems.append(
            f"the {media.kind} declares no usable frame count (zero or absurd); "
            "no frames were sampled for the pixel detectors"
        )
        return None
    return frames


def _may_change(
    report: Report, facts: rules.Facts, frames: FrameSource | None, opts: CheckOptions
) -> None:
    """Could a full check change a quick check's verdict? Only if it would look at frames
    or run detectors the quick one did not, and the verdict is not already final: a
    generator named on decisive evidence ("yes") with the stripping question settled
    ("yes": found; "no": intact credentials, whose content hash covers the pixels, so no
    mark can have been removed from them since signing)."""
    cov, v, media = report.coverage, report.verdict, facts.media
    full = replace(opts, depth="full")
    names = full.detectors_to_run()
    pixels = media.kind == "video" or (media.kind == "image" and formats.can_decode(media.mime))
    planned = 0
    if pixels and names:
        planned = len(FrameSource(facts.path, media, full.sample_fps, full.max_frames).indices)
    seen = media.frames_analyzed if frames is not None else 0
    skipped = sorted(set(names) - set(facts.detectors_run)) if planned else []
    if planned <= seen and not skipped:
        cov.reasons.append("a full check would look at nothing more")
        return
    if planned > seen:
        cov.reasons.append(
            f"quick depth looked at {seen} keyframe(s); a full check looks at {planned} "
            "sampled frame(s)"
        )
    if skipped:
        cov.reasons.append(f"detectors a full check adds: {', '.join(skipped)}")
    if v.ai_generated == "yes" and v.generator and v.marks_stripped in ("yes", "no"):
        cov.reasons.append("the verdict already rests on decisive evidence")
        return
    cov.full_check_may_change = True


def _detect(
    facts: rules.Facts, frames: FrameSource | None, opts: CheckOptions
) -> tuple[list[Any], tuple[str, ...]]:
    """Decode the sampled frames once and feed every detector; their observations. A
    detector that cannot work on this picture (smaller than its ``min_side``, or it fails on
    it) abstains with a note: the other detectors and the credentials verdict stand."""
    if frames is None:
        return [], ()
    registry = load_detectors()
    decoded = iter(frames)
    first = next(decoded, None)
    if first is None:
        raise ProbeError(f"no {facts.media.kind} frame could be decoded (truncated or corrupt?)")
    shape = first.image.shape[:2]
    # An animated image is a short clip to the detectors; the report keeps its kind.
    media = replace(facts.media, kind="video") if frames.animated else facts.media
    context = FileContext(facts.path, media, opts, frames, facts.c2pa, facts.metadata, shape)
    notes = facts.metadata.problems
    active: dict[str, FrameDetector] = {}
    for name in opts.detectors_to_run():
        det = registry[name]()
        if min(shape) < getattr(det, "min_side", 1):
            notes.append(
                f"the {name} detector needs pictures at least {det.min_side} px on each side; "
                f"this one is {shape[1]}x{shape[0]}, so it was not run"
            )
            continue
        if _guarded(name, notes, det.start, context):
            active[name] = det
    planned = max(1, len(frames.indices))
    stride = {n: -(-planned // getattr(d, "max_samples", planned)) for n, d in active.items()}
    analysed = 0
    head = [first]
    del first  # handed out by _first_then, so no frame outlives the detectors' look at it
    for frame in _first_then(head, decoded):
        analysed += 1
        for name, det in list(active.items()):
            if (analysed - 1) % stride[name]:
                continue  # over the detector's max_samples: every k-th frame only
            if not _guarded(name, notes, det.feed, frame):
                del active[name]
        del frame  # not kept while the next one is decoded, nor through the finish steps
    facts.media.frames_analyzed = analysed
    observations: list[Any] = []
    for name, det in list(active.items()):
        found: list[Any] = []
        if _guarded(name, notes, _finish_into, det, found):
            observations += found
        else:
            del active[name]
    return observations, tuple(active)


def _first_then(head: list[Frame], rest: Iterator[Frame]) -> Iterator[Frame]:
    """``head``'s frame, then ``rest``, holding no reference to a frame handed out (a frame
    is 6 MB at 1080p; ``itertools.chain`` would keep the first one to the end)."""
    yield head.pop()
    yield from rest


def _finish_into(det: FrameDetector, out: list[Any]) -> None:
    out.extend(det.finish())


def _guarded(name: str, notes: list[str], step: Any, *args: Any) -> bool:
    """Run one detector step; an exception makes that detector abstain (with a note)."""
    try:
        step(*args)
    except MemoryError:
        raise
    except Exception as exc:
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        notes.append(
            f"the {name} detector could not analyse this picture and abstained "
            f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
        )
        return False
    return True


def _in_report_order(evidence: list[Evidence]) -> list[Evidence]:
    rank = {source: i for i, source in enumerate(_SOURCE_ORDER)}
    return sorted(evidence, key=lambda e: rank.get(e.source, len(rank)))

"""dwtDct invisible watermarks: codec against the package's own outputs, statistical calls
on marked files, no calls on unmarked ones, end to end through provenance.check."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import pywt

import provenance
from provenance.detectors.invisible import detector as invisible
from provenance.detectors.invisible import dwtdct
from provenance.knowledge.generators import InvisiblePayload
from provenance.model.records import CLAIM_GENERATED
from tests.conftest import shared
from tests.detector_run import run_detector

SDXL = "101100111110110010010000011110111011000110011110"
STILLS = (".jpg", ".png", ".webp", ".avif")


def invisible_fixture(fixtures: Path, name: str) -> Path:
    """The Apollo stills and the clips are vendored; the P1000827 ones are shared only."""
    if name.startswith("p1000827"):
        return shared(f"invisible/{name}")
    return fixtures / "invisible" / name


def run_invisible(path: Path):
    return run_detector(path, "invisible")


def assert_found(result, payload: str, generator: str, decisive: bool | None = True) -> None:
    """``decisive=None``: the truth does not say, so it is not checked."""
    assert [w.payload for w in result.watermarks] == [payload]
    mark = result.watermarks[0]
    assert mark.generator == generator and mark.method == "dwtDct"
    assert mark.stats["log10_p_value"] <= -6
    ev = [e for e in result.evidence if e.kind == "invisible.dwtdct"]
    assert len(ev) == 1 and ev[0].claim == CLAIM_GENERATED and ev[0].generator == generator
    if decisive is not None:
        assert ev[0].decisive is decisive


def assert_not_found(result) -> None:
    assert result.watermarks == []
    assert all(e.claim != CLAIM_GENERATED for e in result.evidence)


# --- codec -------------------------------------------------------------------------------


def test_encoder_reproduces_the_package_output(fixtures):
    """Our encoder on the clean control gives the package's marked picture bit for bit."""
    clean = cv2.imread(str(fixtures / "invisible" / "apollo_clean.png"))
    marked = cv2.imread(str(fixtures / "invisible" / "apollo_sdxl.png"))
    assert np.array_equal(dwtdct.encode(clean, SDXL, variant="u8"), marked)


def test_ll_band_matches_pywavelets():
    u = np.random.default_rng(0).uniform(0, 255, (64, 48)).astype(np.float32)
    ll = pywt.dwt2(u.astype(np.float64), "haar")[0]
    assert np.allclose(dwtdct._ll_band(u), ll, atol=1e-3)


@pytest.mark.parametrize("shape", [(300, 260), (517, 402), (1030, 771)])
def test_block_grids_match_the_direct_decoder(shape):
    """The strip-wise shared sums give each variant's phases as the decoder defined block by
    block on the whole U plane does (pictures of one, several and a partial last strip)."""
    rng = np.random.default_rng(sum(shape))
    img = cv2.GaussianBlur(rng.integers(0, 256, (*shape, 3), dtype=np.uint8), (3, 3), 0)
    grids = dwtdct.block_grids(img)
    for variant in dwtdct.VARIANTS:
        ll = dwtdct._ll_band(dwtdct._u_channel(img, variant))
        carrier = np.abs(dwtdct._carrier(dwtdct._block_view(ll)))
        want = np.mod(carrier, dwtdct.SCALE) / dwtdct.SCALE
        got = grids[variant].phase
        assert got.shape == want.shape
        # float32 rounding of LL values up to ~400 moves a phase by at most ~1e-6 (or wraps it)
        diff = np.abs(got - want)
        assert np.all(np.minimum(diff, 1 - diff) < 1e-5), variant


def test_bit_sums_are_bincount_sums():
    """``bit_sums`` adds the same values in the same order as ``np.bincount``: equal bits."""
    rng = np.random.default_rng(3)
    for length, first, shape in [(48, 0, (178, 133)), (136, 5000, (90, 160)), (46, 47, (7, 5))]:
        values = rng.standard_normal(shape) * 100
        bit = dwtdct.bit_index(shape, length, first).ravel()
        want = np.bincount(bit, weights=values.ravel(), minlength=length)
        assert np.array_equal(dwtdct.bit_sums(values, length, first), want)
        counts = np.maximum(np.bincount(bit, minlength=length), 1)
        assert np.array_equal(dwtdct.bit_counts(shape, length, first), counts)


@pytest.mark.parametrize("variant", dwtdct.VARIANTS)
def test_round_trip_every_variant(variant):
    rng = np.random.default_rng(1)
    img = cv2.GaussianBlur(rng.integers(0, 256, (320, 320, 3), dtype=np.uint8), (5, 5), 0)
    grid = dwtdct.block_grid(dwtdct.encode(img, SDXL, variant=variant), variant)
    score = dwtdct.payload_score(dwtdct.prepare(grid), SDXL)
    assert score.bit_agreement >= 0.95 and score.chi2 > 100


def test_new_payload_is_data_only():
    """A payload the code has never heard of is found from its table entry alone."""
    bits = "1100101011110000101001011100"
    cand = invisible.Candidate("someone", InvisiblePayload("dwtDct", "custom", bits))
    rng = np.random.default_rng(2)
    img = cv2.GaussianBlur(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8), (7, 7), 0)
    others = invisible.candidates("image")
    marked = dwtdct.encode(img, bits, variant="u8")
    best = invisible.best_match(
        [invisible.analyse_frame(marked, others + [cand])], others + [cand]
    )[0]
    assert best.candidate.payload.name == "custom" and best.log10_p < -6


def test_too_small_to_carry():
    assert not dwtdct.can_carry((200, 300, 3)) and dwtdct.can_carry((256, 256, 3))


# --- shared fixtures ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["apollo_sdxl.png", "p1000827_sdxl.png"])
def test_sdxl_found_in_lossless_png(fixtures, name):
    assert_found(run_invisible(invisible_fixture(fixtures, name)), "sdxl", "stable-diffusion-xl")


@pytest.mark.parametrize("name", ["apollo_sd1.png", "p1000827_sd1.png"])
def test_sd1_found(fixtures, name):
    assert_found(run_invisible(invisible_fixture(fixtures, name)), "sd1", "stable-diffusion")


@pytest.mark.parametrize("name", ["apollo_clean.png", "p1000827_clean.png"])
def test_clean_controls_give_no_mark(fixtures, name):
    result = run_invisible(invisible_fixture(fixtures, name))
    assert_not_found(result)
    assert [e.kind for e in result.evidence] == ["invisible.dwtdct.not-found"]
    assert "not proof" in result.evidence[0].detail


def test_c2pa_pictures_give_no_mark(fixtures):
    stills = [p for p in sorted((fixtures / "c2pa").iterdir()) if p.suffix.lower() in STILLS]
    assert len(stills) > 10
    for path in stills:
        assert_not_found(run_invisible(path))


def test_svd_found_at_crf18(fixtures):
    result = run_invisible(fixtures / "invisible" / "svd_like_crf18.mp4")
    assert_found(result, "svd", "stable-video-diffusion")
    mark = result.watermarks[0]
    assert mark.stats["frames"] >= 2 and mark.track


def test_svd_at_crf23_is_not_found_not_clean(fixtures):
    result = run_invisible(fixtures / "invisible" / "svd_like_crf23.mp4")
    assert_not_found(result)
    (ev,) = result.evidence
    assert ev.kind == "invisible.dwtdct.not-found" and ev.confidence == 0.0
    assert "not proof" in ev.detail


# --- project samples ---------------------------------------------------------------------


def test_own_samples_match_truth(samples):
    folder = samples / "invisible"
    truth = json.loads((folder / "truth.json").read_text())
    seen = {"found": 0, "not found": 0, "either": 0}
    for name, want in truth.items():
        result = run_invisible(folder / name)
        if want["found"] is True:
            assert_found(result, want["payload"], want["generator"], want.get("decisive"))
            seen["found"] += 1
        elif want["found"] is False:
            assert_not_found(result)
            assert [e.kind for e in result.evidence] == ["invisible.dwtdct.not-found"], name
            seen["not found"] += 1
        elif want["found"] is None:
            # "reported either way": found with the stated payload, or an explicit not-found,
            # never a different payload and never silence.
            if result.watermarks:
                assert [w.payload for w in result.watermarks] == [want["payload"]], name
            else:
                assert_not_found(result)
                assert [e.kind for e in result.evidence] == ["invisible.dwtdct.not-found"], name
            seen["either"] += 1
        else:
            pytest.fail(f"{name}: truth.json 'found' must be true, false or null")
    assert all(seen.values()), seen  # every branch ran on at least one sample


# --- end to end --------------------------------------------------------------------------


def test_check_reports_sdxl_mark_and_verdict(fixtures):
    report = provenance.check(str(fixtures / "invisible" / "apollo_sdxl.png"))
    data = report.to_dict()
    marks = [w for w in data["watermarks"] if w["kind"] == "invisible"]
    assert [m["payload"] for m in marks] == ["sdxl"]
    assert set(marks[0]["stats"]) >= {"bit_agreement", "p_value", "frames"}
    assert data["verdict"]["ai_generated"] == "yes"
    assert data["verdict"]["generator"] == "stable-diffusion-xl"


def test_check_does_not_call_a_clean_control(fixtures):
    report = provenance.check(str(fixtures / "invisible" / "apollo_clean.png"))
    assert not [w for w in report.watermarks if w.kind == "invisible"]
    assert report.verdict.ai_generated != "yes"

"""The ``dwtDct`` invisible-watermark scheme, decoded (and encoded) on numpy, OpenCV and pywt.

Scheme (as implemented by the ``invisible-watermark`` package that Stable Diffusion
pipelines call; re-implemented here from its description, the package imports torch):

* convert BGR to YUV with OpenCV, crop to a multiple of 4 pixels, take the Haar DWT of
  the U channel (only U carries the mark: strengths are ``(0, 36, 36)`` but the package
  loops over the first two channels only);
* cut the low-low band into 4x4 blocks in raster order; block ``n`` carries payload bit
  ``n mod L``, so the payload repeats over the picture;
* in each block take the coefficient of largest magnitude other than the top-left one and
  move its magnitude onto the lattice ``(k + 1/4) * 36`` for a 0 and ``(k + 3/4) * 36``
  for a 1; the decoder reads ``|v| mod 36`` and says 1 above 18.

So the information is a *phase* ``|v| / 36 mod 1``: 0.25 for a 0, 0.75 for a 1. We keep it
soft (``-sin(2 pi phase)``: +1 for a perfect 1, -1 for a perfect 0, 0 for no information),
which degrades gracefully under JPEG / H.264 where the hard decision flips.

How the pipelines call the encoder decides the phase reference, so a decoder must try the
ways a generator can have embedded (``VARIANTS``):

* ``u8``: a uint8 BGR picture (CompVis SD 1.x / Stability SD 2.x scripts, the package CLI):
  OpenCV's 8-bit YUV has U centred on 128;
* ``f32``: a float32 BGR picture in 0..255 (diffusers SDXL since 2024, Stability's
  generative-models / SVD): OpenCV's float YUV has U centred on 0.5, so every LL value is
  shifted by 255 and negative values are mirrored;
* ``f32rgb``: as ``f32`` but RGB passed as if it were BGR (diffusers SDXL before the fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from provenance.detectors.stats import median

SCALE = 36.0  # lattice step of the U channel (the package's default strength)
BLOCK = 4  # block size in the LL band (8x8 pixels)
MIN_PIXELS = 256 * 256  # the package refuses smaller pictures
VARIANTS = ("u8", "f32", "f32rgb")


@dataclass(frozen=True)
class BlockGrid:
    """Per-block phases of one picture, in the raster order the payload follows."""

    phase: np.ndarray  # (rows, cols) in [0, 1): |carrier| / scale mod 1; 0.75 = bit 1
    variant: str
    first: int = 0  # raster number of the top-left block (a band of a large picture)

    def field(self) -> np.ndarray:
        """(rows, cols, 2) unit phase vectors: [0] = -sin(2 pi phase) (+1 for a 1, -1 for a
        0, the soft form of the package's decision), [1] = cos(2 pi phase) (where the
        signal goes when lossy coding shifts the phase by about a quarter turn)."""
        return _unit(self.phase)


def _unit(phase: np.ndarray) -> np.ndarray:
    angle = 2.0 * np.pi * phase
    return np.stack([-np.sin(angle), np.cos(angle)], axis=-1)


def bits_from_string(bits: str) -> np.ndarray:
    """'0101..' -> uint8 array, first bit first (the order the encoder embeds)."""
    if not bits or set(bits) - {"0", "1"}:
        raise ValueError(f"payload bits must be a non-empty 0/1 string, got {bits!r}")
    return np.frombuffer(bits.encode("ascii"), dtype=np.uint8) - ord("0")


def bits_from_bytes(data: bytes) -> str:
    """Byte payloads (SD 1.x ``StableDiffusionV1``) to the bit string the encoder embeds."""
    return "".join(f"{b:08b}" for b in data)


def _u_channel(bgr: np.ndarray, variant: str) -> np.ndarray:
    """The U plane exactly as the encoder saw it for ``variant``, cropped to a multiple of 4."""
    rows, cols = bgr.shape[0] // 4 * 4, bgr.shape[1] // 4 * 4
    img = bgr[:rows, :cols]
    if variant == "u8":
        return cv2.cvtColor(img, cv2.COLOR_BGR2YUV)[:, :, 1].astype(np.float32)
    if variant == "f32":
        return cv2.cvtColor(img.astype(np.float32), cv2.COLOR_BGR2YUV)[:, :, 1]
    if variant == "f32rgb":
        return cv2.cvtColor(img[:, :, ::-1].astype(np.float32), cv2.COLOR_BGR2YUV)[:, :, 1]
    raise ValueError(f"unknown dwtDct variant {variant!r}")


def _ll_band(u: np.ndarray) -> np.ndarray:
    """Haar LL band (same values as ``pywt.dwt2(u, 'haar')[0]``; sum of 2x2 over 2)."""
    return (u[0::2, 0::2] + u[0::2, 1::2] + u[1::2, 0::2] + u[1::2, 1::2]) * 0.5


def _block_view(ll: np.ndarray) -> np.ndarray:
    """(rows, cols, 16) view of the 4x4 blocks in raster order, partial blocks dropped."""
    br, bc = ll.shape[0] // BLOCK, ll.shape[1] // BLOCK
    cut = ll[: br * BLOCK, : bc * BLOCK]
    return cut.reshape(br, BLOCK, bc, BLOCK).transpose(0, 2, 1, 3).reshape(br, bc, BLOCK * BLOCK)


def _carrier(blocks: np.ndarray) -> np.ndarray:
    """Per block, the coefficient the scheme writes to: largest |v| except the first."""
    pos = np.argmax(np.abs(blocks[:, :, 1:]), axis=2) + 1
    return np.take_along_axis(blocks, pos[:, :, None], axis=2)[:, :, 0]


def can_carry(shape: tuple[int, ...]) -> bool:
    """The package refuses pictures under 256x256 pixels, so they carry no mark."""
    return len(shape) == 3 and shape[2] == 3 and shape[0] * shape[1] >= MIN_PIXELS


def block_grid(
    bgr: np.ndarray, variant: str = "u8", scale: float = SCALE, max_blocks: int | None = None
) -> BlockGrid:
    """Phase of every block's carrier coefficient, as the encoder of ``variant`` set it.

    ``max_blocks`` reads only a band of whole block rows from the middle of a large
    picture: the payload repeats every L blocks, so a band holds the same evidence per
    block at a fraction of the cost.
    """
    return block_grids(bgr, (variant,), scale, max_blocks)[variant]


def block_grids(
    bgr: np.ndarray,
    variants: tuple[str, ...] = VARIANTS,
    scale: float = SCALE,
    max_blocks: int | None = None,
) -> dict[str, BlockGrid]:
    """``block_grid`` for several variants of one picture, sharing the work.

    The LL band is linear in U, and the float variants' U is linear in B, G, R, so their
    LL bands are one weighted sum of the 2x2 channel means (exact for 8-bit pixels), taken
    once for both; ``u8`` keeps OpenCV's rounded 8-bit U plane, as the encoder saw it.
    Same values as ``_ll_band(_u_channel(...))`` to float32 rounding, about 5x cheaper
    than converting the whole picture to float three times.
    """
    if not can_carry(bgr.shape):
        raise ValueError("dwtDct needs a BGR picture of at least 256x256 pixels")
    for variant in variants:
        if variant not in VARIANTS:
            raise ValueError(f"unknown dwtDct variant {variant!r}")
    cols = bgr.shape[1] // 4 * 2 // BLOCK
    rows = bgr.shape[0] // 4 * 2 // BLOCK
    top = 0
    if max_blocks and rows * cols > max_blocks:
        keep = max(1, max_blocks // cols)
        top = (rows - keep) // 2
        band = 2 * BLOCK  # pixels per block row
        bgr = bgr[top * band : (top + keep) * band]
    out = {}
    for variant, ll in _ll_bands(bgr, variants).items():
        value = _carrier_magnitude(ll)
        out[variant] = BlockGrid(np.mod(value, scale) / scale, variant, top * cols)
    return out


_BLOCK_KERNEL = np.ones((BLOCK, BLOCK), np.uint8)


def _carrier_magnitude(ll: np.ndarray) -> np.ndarray:
    """``abs(_carrier(_block_view(ll)))`` at a fifth of the cost: the largest |v| of each
    block once its top-left value is zeroed, as a 4x4 dilation read at the block corners."""
    br, bc = ll.shape[0] // BLOCK, ll.shape[1] // BLOCK
    mag = np.abs(ll[: br * BLOCK, : bc * BLOCK])
    mag[0::BLOCK, 0::BLOCK] = 0.0
    return cv2.dilate(mag, _BLOCK_KERNEL, anchor=(0, 0))[0::BLOCK, 0::BLOCK]


@lru_cache(maxsize=1)
def _float_u() -> tuple[float, float, float]:
    """OpenCV's float BGR->YUV U plane: weights of B - G and R - G, and the offset (0.5).
    U = 0.492 (B - Y) has weights summing to zero, so grey pixels give the offset exactly."""
    zero = cv2.cvtColor(np.zeros((1, 1, 3), np.float32), cv2.COLOR_BGR2YUV)[0, 0, 1]
    unit = cv2.cvtColor(np.eye(3, dtype=np.float32)[None], cv2.COLOR_BGR2YUV)[0, :, 1] - zero
    return float(unit[0]), float(unit[2]), float(zero)


def _ll_bands(bgr: np.ndarray, variants: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Haar LL band of the U plane per variant (see ``block_grids``), a strip of rows at a
    time (``STRIP_ROWS``) written straight into the bands.

    LL = (sum of each 2x2 cell) / 2. The sums are exact integers: pixels times 4 in
    uint16, then INTER_AREA at exactly 1/2 (the mean of the cell, rounded, which is the
    sum since every term is a multiple of 4). The float variants' LL is
    ``(wb * dB + wr * dR) / 2 + 2 * delta`` on the cell sums' differences dB = B - G and
    dR = R - G (exact: ``|d| <= 1020``)."""
    rows, cols = bgr.shape[0] // 4 * 4, bgr.shape[1] // 4 * 4
    img = bgr[:rows, :cols]
    out = {v: np.empty((rows // 2, cols // 2), np.float32) for v in variants}
    floats = [v for v in variants if v in ("f32", "f32rgb")]
    wb, wr, delta = _float_u()
    for y in range(0, rows, STRIP_ROWS):
        strip = img[y : y + STRIP_ROWS]
        at = slice(y // 2, (y + strip.shape[0]) // 2)
        if "u8" in out:
            u = cv2.extractChannel(cv2.cvtColor(strip, cv2.COLOR_BGR2YUV), 1)
            np.multiply(_cell_sums(u), np.float32(0.5), out=out["u8"][at])
        if floats:
            sum_b, sum_g, sum_r = cv2.split(_cell_sums(strip))
            db = cv2.subtract(sum_b, sum_g, dtype=cv2.CV_32F)
            dr = cv2.subtract(sum_r, sum_g, dtype=cv2.CV_32F)
            for v in floats:
                a, b = (db, dr) if v == "f32" else (dr, db)  # f32rgb: R read as B, B as R
                cv2.addWeighted(a, 0.5 * wb, b, 0.5 * wr, 2 * delta, dst=out[v][at])
    return out


# Rows of the picture converted at a time (even): the YUV and 16-bit copies of a whole 1080p
# frame were 6 and 12 MB each; a strip's are 0.7 and 1.5 MB. Every step per strip is
# pixel-local (colour conversion, 2x2 cell sums, the weighted differences), so the bands are
# the same as from the whole picture.
STRIP_ROWS = 128


def _cell_sums(img: np.ndarray) -> np.ndarray:
    """Sum of every 2x2 cell of an 8-bit picture (even sizes), as uint16."""
    half = (img.shape[1] // 2, img.shape[0] // 2)
    return cv2.resize(np.left_shift(img, 2, dtype=np.uint16), half, interpolation=cv2.INTER_AREA)


def bit_index(shape: tuple[int, int], length: int, first: int = 0) -> np.ndarray:
    """Payload bit carried by each block: raster number mod payload length (read-only,
    shared: every payload x variant test of a frame size asks for the same few)."""
    return _bit_index(tuple(int(v) for v in shape), int(length), int(first))


@lru_cache(maxsize=32)
def _bit_index(shape: tuple[int, ...], length: int, first: int) -> np.ndarray:
    out = ((first + np.arange(shape[0] * shape[1])) % length).reshape(shape)
    out.flags.writeable = False
    return out


def bit_sums(values: np.ndarray, length: int, first: int = 0) -> np.ndarray:
    """Per payload bit, the sum of ``values`` over the blocks carrying it (raster order, see
    ``bit_index``): ``np.bincount(bit_index(...).ravel(), weights=values.ravel())`` at about
    0.6 of its cost (38 against 62 us on 23,674 blocks). The blocks are laid out ``length``
    to a row, starting at column ``first mod length``, and the rows added one after the
    other: the same additions in the same order as bincount's (tests/test_invisible.py
    checks the bits)."""
    flat = values.ravel()
    lead = first % length
    padded = np.zeros(-(-(lead + flat.size) // length) * length, np.float64)
    padded[lead : lead + flat.size] = flat
    return padded.reshape(-1, length).sum(axis=0)


def bit_counts(shape: tuple[int, int], length: int, first: int = 0) -> np.ndarray:
    """Blocks carrying each payload bit, at least 1 (read-only, shared like ``bit_index``)."""
    return _bit_counts(tuple(int(v) for v in shape), int(length), int(first))


@lru_cache(maxsize=32)
def _bit_counts(shape: tuple[int, ...], length: int, first: int) -> np.ndarray:
    count = np.maximum(np.bincount(_bit_index(shape, length, first).ravel(), minlength=length), 1)
    count.flags.writeable = False
    return count


def hard_bits(grid: BlockGrid, length: int) -> np.ndarray:
    """The package decoder's answer: per bit, mean of hard block decisions above 1/2."""
    ones = bit_sums(grid.phase > 0.5, length, grid.first)
    return (ones / bit_counts(grid.phase.shape, length, grid.first) > 0.5).astype(np.uint8)


def encode(bgr: np.ndarray, bits: str, scale: float = SCALE, variant: str = "u8") -> np.ndarray:
    """Embed ``bits`` the way the package does; returns uint8 BGR.

    For making test material (samples/make_invisible.py) and checking the decoder against
    the package's own outputs. Reproduces the package's quirks that change pixels: the
    horizontal and vertical detail bands are swapped on the way back, and in ``u8`` the
    float result is truncated into the uint8 YUV plane. ``f32`` mimics the float pipelines
    (rounding once at the end, as they do when saving).
    """
    import pywt  # only the encoder needs the full transform (a check imports none of it)

    payload = bits_from_string(bits)
    rows, cols = bgr.shape[0] // 4 * 4, bgr.shape[1] // 4 * 4
    src = bgr[:, :, ::-1] if variant == "f32rgb" else bgr
    work = src.astype(np.float32) if variant != "u8" else src.copy()
    yuv = cv2.cvtColor(work, cv2.COLOR_BGR2YUV)
    u = yuv[:rows, :cols, 1].astype(np.float64)
    ll, (ch, cv, cd) = pywt.dwt2(u, "haar")
    blocks = _block_view(ll).copy()
    pos = np.argmax(np.abs(blocks[:, :, 1:]), axis=2) + 1
    val = np.take_along_axis(blocks, pos[:, :, None], axis=2)[:, :, 0]
    want = payload[np.arange(val.size).reshape(val.shape) % payload.size]
    mag = (np.floor(np.abs(val) / scale) + 0.25 + 0.5 * want) * scale
    np.put_along_axis(blocks, pos[:, :, None], (np.where(val >= 0, mag, -mag))[:, :, None], 2)
    br, bc = blocks.shape[:2]
    ll[: br * BLOCK, : bc * BLOCK] = (
        blocks.reshape(br, bc, BLOCK, BLOCK).transpose(0, 2, 1, 3).reshape(br * BLOCK, bc * BLOCK)
    )
    new_u = pywt.idwt2((ll, (cv, ch, cd)), "haar")  # the package swaps H and V here
    if variant == "u8":
        yuv[:rows, :cols, 1] = new_u.astype(np.uint8)  # numpy's truncating cast, as the package
        out = cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR)
    else:
        yuv[:rows, :cols, 1] = new_u
        out = np.clip(np.rint(cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR)), 0, 255).astype(np.uint8)
    return out[:, :, ::-1].copy() if variant == "f32rgb" else out


# Neighbour lags (in blocks, 8 px each) summed into the null covariance. After the high-pass
# longer-range structure is left to the tile estimate (``payload_score``).
MAX_LAG = 4
# High-passed block values beyond this many robust standard deviations are clipped: on
# smooth pictures a few edge blocks would otherwise carry the whole statistic and its tail
# would be far heavier than Gaussian (docs/invisible.md, "null").
CLIP_SIGMAS = 3.0
# The statistic is also summed per tile (TILES x TILES); the spread of the tile sums is a
# second, model-free null variance (see ``payload_score``).
TILES = 8


def high_pass(field: np.ndarray) -> np.ndarray:
    """Field minus its 3x3-block local mean, per component.

    Smooth content reads nearly the same phase over large areas, which correlates blocks
    far beyond any lag we could sum; the payload changes from one block to the next, so
    removing the local mean keeps ~8/9 of the mark. (Tried and measured against this: no
    filter, a same-parity filter against JPEG's 16x16 chroma units, and subtracting the
    phase the carrier's LL neighbours predict; this one detected best at the same null.)
    """
    f32 = np.ascontiguousarray(field, dtype=np.float32)
    return (f32 - cv2.blur(f32, (3, 3), borderType=cv2.BORDER_REFLECT)).astype(np.float64)


def _winsorize(x: np.ndarray) -> np.ndarray:
    med = median(x)
    mad = 1.4826 * median(np.abs(x - med))
    if mad <= 0:
        mad = float(np.std(x)) or 1.0
    return np.clip(x, med - CLIP_SIGMAS * mad, med + CLIP_SIGMAS * mad)


def _lag_sum(a: np.ndarray, b: np.ndarray, dy: int, dx: int) -> float:
    """sum_ij a[i, j] * b[i + dy, j + dx] over the overlap (dy >= 0)."""
    rows, cols = a.shape
    if dx >= 0:
        return float(np.einsum("ij,ij->", a[: rows - dy, : cols - dx], b[dy:, dx:]))
    return float(np.einsum("ij,ij->", a[: rows - dy, -dx:], b[dy:, : cols + dx]))


def _lags(rows: int, cols: int) -> list[tuple[int, int]]:
    """Half-plane of lags (the other half mirrors it), (0, 0) first."""
    return [
        (dy, dx)
        for dy in range(min(MAX_LAG, rows - 1) + 1)
        for dx in range(-min(MAX_LAG, cols - 1), min(MAX_LAG, cols - 1) + 1)
        if dy > 0 or dx >= 0
    ]


@dataclass(frozen=True)
class Prepared:
    """One decoder variant of one picture, ready to be matched against any payload.

    ``h`` holds the two high-passed, clipped, centred field components; ``terms`` what each
    lag (``_lags`` order, (0, 0) first) adds to the null covariance per unit of template
    product: their 2x2 autocovariance ``gamma`` at lag 0, then each other lag's with its
    mirror image (``gamma + gamma.T``). The autocovariance is taken on
    the whole field (a mark, if there is one, only inflates it: conservative), so matching
    a payload costs one pass.
    """

    grid: BlockGrid
    h: tuple[np.ndarray, np.ndarray]
    terms: np.ndarray  # (lags, 2, 2)


def prepare(grid: BlockGrid) -> Prepared:
    f = high_pass(grid.field())
    h = []
    for k in range(2):
        w = _winsorize(f[:, :, k])
        h.append(np.ascontiguousarray(w - w.mean()))
    rows, cols = h[0].shape
    corr = _cross_correlations(h[0], h[1])
    dys, dxs, pairs = _lag_index(rows, cols)
    gamma = (
        np.stack(
            [np.stack([_at_lags(corr, a, b, dys, dxs) for b in range(2)], -1) for a in range(2)], -2
        )
        / pairs[:, None, None]
    )  # (lags, 2, 2)
    terms = gamma + gamma.transpose(0, 2, 1)
    terms[0] = gamma[0]
    return Prepared(grid, (h[0], h[1]), terms)


@lru_cache(maxsize=64)
def _lag_index(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lags = _lags(rows, cols)
    dys = np.array([dy for dy, _ in lags])
    dxs = np.array([dx for _, dx in lags])
    pairs = np.array([(rows - dy) * (cols - abs(dx)) for dy, dx in lags], np.float64)
    return dys, dxs, pairs


def _cross_correlations(h0: np.ndarray, h1: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """``c[(a, b)][dy, dx] = _lag_sum(h_a, h_b, dy, dx)`` for every lag up to MAX_LAG (negative
    dx wraps to the end), all at once by FFT on zero-padded fields (no circular overlap).
    ``(1, 0)`` is not transformed: it is ``(0, 1)`` at the mirrored lag, read by
    ``_at_lags``."""
    rows, cols = h0.shape
    shape = (_fast_len(rows + MAX_LAG + 1), _fast_len(cols + MAX_LAG + 1))
    f0, f1 = np.fft.rfft2(np.stack([h0, h1]), shape)
    c00, c01, c11 = np.fft.irfft2(
        np.stack([np.conj(f0) * f0, np.conj(f0) * f1, np.conj(f1) * f1]), shape
    )
    return {(0, 0): c00, (0, 1): c01, (1, 1): c11}


def _at_lags(corr: dict[tuple[int, int], np.ndarray], a: int, b: int, dys, dxs) -> np.ndarray:
    """``corr[(a, b)]`` at the lags: sum h1[i, j] h0[i + dy, j + dx] is c01 at (-dy, -dx)."""
    if (a, b) == (1, 0):
        c01 = corr[(0, 1)]
        return c01[-dys % c01.shape[0], -dxs % c01.shape[1]]
    return corr[(a, b)][dys, dxs]


@lru_cache(maxsize=256)
def _fast_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n (sizes pocketfft transforms fastest)."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


@lru_cache(maxsize=64)
def _template_and_weights(
    rows: int, cols: int, first: int, bits: str
) -> tuple[np.ndarray, np.ndarray]:
    """Centred +-1 payload pattern over the block grid and its products per lag (``_lags``
    order, shaped to multiply ``Prepared.terms``)."""
    payload = bits_from_string(bits)
    q = payload.astype(np.float64) * 2.0 - 1.0
    template = np.ascontiguousarray((q - q.mean())[bit_index((rows, cols), payload.size, first)])
    weights = np.array([_lag_sum(template, template, *lag) for lag in _lags(rows, cols)])
    return template, weights[:, None, None]


@dataclass(frozen=True)
class PayloadScore:
    """Match of one picture against one payload: a 2-vector and its null covariance.

    ``stat`` = sum over blocks of the high-passed field times the payload's centred +-1
    pattern. Component 0 is the package's own (soft) reading; component 1 catches the same
    mark when lossy coding shifted every phase by about a quarter turn. ``cov`` is the
    covariance of ``stat`` on unmarked content of *this* picture.
    """

    stat: np.ndarray  # (2,)
    cov: np.ndarray  # (2, 2)
    means: np.ndarray  # (L, 2) per-bit means of the high-passed field
    bits_agree: int  # the package's hard decision equal to the payload, per bit
    length: int

    def whitened(self) -> np.ndarray:
        """stat in units of its null covariance: ~ N(0, I) when there is no mark."""
        vals, vecs = np.linalg.eigh(self.cov)
        vals = np.maximum(vals, 1e-12)
        return (vecs / np.sqrt(vals)).T @ self.stat

    @property
    def chi2(self) -> float:
        w = self.whitened()
        return float(w @ w)

    @property
    def bit_agreement(self) -> float:
        return self.bits_agree / self.length


def _tile_sums(template: np.ndarray, h: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(tiles, 2) sums of template * field over a TILES x TILES partition of the grid."""
    rows, cols = template.shape
    ys = np.linspace(0, rows, TILES + 1).astype(int)
    xs = np.linspace(0, cols, TILES + 1).astype(int)
    if np.all(np.diff(ys) > 0) and np.all(np.diff(xs) > 0):
        sums = [
            np.add.reduceat(np.add.reduceat(template * hk, ys[:-1], axis=0), xs[:-1], axis=1)
            for hk in h
        ]
        return np.stack([s.ravel() for s in sums], 1)
    prods = [template * hk for hk in h]
    out = [
        [float(p[ys[i] : ys[i + 1], xs[j] : xs[j + 1]].sum()) for p in prods]
        for i in range(TILES)
        for j in range(TILES)
    ]
    return np.array(out)


def _tile_cov(tiles: np.ndarray) -> np.ndarray:
    """Covariance of the total implied by the spread of the tile sums (tiles ~ independent)."""
    n = tiles.shape[0]
    d = tiles - tiles.mean(axis=0)
    return n * (d.T @ d) / (n - 1)


def _loewner_max(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest-ish covariance at least as large as ``a`` and ``b`` in every direction."""
    vals, vecs = np.linalg.eigh(a)
    root = vecs * np.sqrt(np.maximum(vals, 1e-12))
    inv = np.linalg.inv(root)
    m = inv @ b @ inv.T
    mv, mvec = np.linalg.eigh((m + m.T) / 2)
    m = (mvec * np.maximum(mv, 1.0)) @ mvec.T
    return root @ m @ root.T


def payload_score(prep: Prepared, bits: str) -> PayloadScore:
    """Test statistic of ``bits`` with a null covariance taken from the picture itself.

    Two estimates of the covariance of ``stat`` without a mark, and the larger is used in
    every direction (conservative):

    * model: the high-passed field is a roughly stationary random field with short
      correlations, so ``stat`` (linear in it) has covariance sum over lags of template
      products(lag) * autocov(lag), never below the independent-blocks covariance;
    * tiles: ``stat`` is the sum of TILES x TILES tile sums; their spread estimates its
      variance with no model at all. This catches content the model misses: a synthetic
      colour gradient turns the phase into a plane wave that can line up with the
      payload's raster period over a whole region (C2PA fixture C.jpg), and then the
      tiles disagree wildly.
    """
    grid = prep.grid
    rows, cols = prep.h[0].shape
    template, weights = _template_and_weights(rows, cols, grid.first, bits)
    tiles = _tile_sums(template, prep.h)
    stat = tiles.sum(axis=0)
    # Summed lag by lag from lag 0 (numpy adds along the first axis one row at a time).
    contributions = weights * prep.terms
    base = contributions[0]
    full = contributions.sum(axis=0)
    floor = np.linalg.eigvalsh(full - base).min()
    model = full - min(floor, 0.0) * np.eye(2)
    cov = _loewner_max(model, _tile_cov(tiles))

    length = len(bits)
    count = bit_counts((rows, cols), length, grid.first)
    means = np.stack([bit_sums(h, length, grid.first) / count for h in prep.h], 1)
    agree = int((hard_bits(grid, length) == bits_from_string(bits)).sum())
    return PayloadScore(stat, cov, means, agree, length)


def aligned_bits(means: np.ndarray, stat: np.ndarray) -> np.ndarray:
    """Payload bits read along the phase direction the mark shows (robust to a phase shift
    from lossy coding, which flips the package's fixed-phase decision)."""
    direction = stat / (np.linalg.norm(stat) or 1.0)
    return (means @ direction > 0).astype(np.uint8)

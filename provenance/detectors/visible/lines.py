"""Text lines inside a stamp crop, for OCR recognition alone (detection is not run: it costs
~0.4 s on a small crop, recognition of one line ~13 ms; see ``ocr``)."""

from __future__ import annotations

import cv2
import numpy as np

from provenance.detectors.stats import median
from provenance.detectors.visible.overlay import T


def _drop_icons(mask: np.ndarray) -> np.ndarray:
    """Remove blobs much taller than the glyphs around them (an icon spanning two lines
    would otherwise merge the lines)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 3:
        return mask
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    areas = stats[1:, cv2.CC_STAT_AREA]
    glyph_h = median(heights[areas >= 4]) if (areas >= 4).any() else 0.0
    out = mask.copy()
    if not glyph_h:
        return out
    aspect = stats[1:, cv2.CC_STAT_WIDTH] / heights
    icon = np.zeros(n, bool)  # per label; the background (0) is never an icon
    icon[1:] = (heights > 2.2 * glyph_h) & (aspect >= 0.5) & (aspect <= 2.0)
    out[icon[labels]] = 0
    return out


def _bands(profile: np.ndarray, max_gap: int, level: float = 0.0) -> list[tuple[int, int]]:
    """Runs of profile > level, joined across gaps of at most max_gap."""
    runs: list[list[int]] = []
    for i in np.flatnonzero(profile > level):
        if runs and i - runs[-1][1] <= max_gap:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return [(a, b) for a, b in runs]


def split_lines(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """One-line text boxes (x, y, w, h) inside a stamp crop, for recognition alone.

    Bright strokes (white top-hat) are projected on rows; bands of rows are lines.
    Filled icons wider than the kernel drop out of the top-hat, so a cloud next to
    "Sora" does not end up in the line."""
    return split_lines_reach(gray)[0]


def split_lines_reach(
    gray: np.ndarray, cut: bool = False
) -> tuple[list[tuple[int, int, int, int]], bool, bool]:
    """``split_lines`` and whether a line's strokes reach the left / right edge of the crop
    (the text may go on beyond it). ``cut``: the text is cut by the frame's edge
    (``open_cut``), so pieces on one row are joined (``_join_rows``)."""
    h, w = gray.shape
    if h < 6 or w < 6:
        return [], False, False
    k = max(9, min(41, h // 3) | 1)
    th = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    level = max(T.stroke_level, int(0.35 * th.max()))
    raw = (th > level).astype(np.uint8)
    mask = cv2.morphologyEx(raw, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    # The 2x2 opening removes specks, and with them one-pixel strokes (small CJK text
    # keeps a third of its strokes; every Latin stamp of the samples and the real Sora
    # repost keeps over 90 %): text that thin is split on its raw strokes.
    if int(mask.sum()) < 0.6 * int(raw.sum()):
        mask = raw
    boxes, left, right = _line_boxes(_drop_icons(mask))
    return (_join_rows(boxes) if cut else boxes), left, right


def open_cut(gray: np.ndarray, top: bool, bottom: bool) -> np.ndarray:
    """A crop whose text is cut by the frame's top or bottom edge, with dark rows added on
    that side (a third of its height, at its darkest grey): the stroke top-hat and the row
    bands then see the line end, where they would otherwise split the glyphs reaching the
    edge into fragments (a real Jimeng mark under a cropping re-encoder read "木" and "aL";
    opened, it reads "即梦Al")."""
    if not (top or bottom) or gray.size == 0:
        return gray
    pad = max(4, gray.shape[0] // 3)
    return cv2.copyMakeBorder(
        gray,
        pad if top else 0,
        pad if bottom else 0,
        0,
        0,
        cv2.BORDER_CONSTANT,
        value=int(gray.min()),
    )


def _line_boxes(mask: np.ndarray) -> tuple[list[tuple[int, int, int, int]], bool, bool]:
    h, w = mask.shape
    boxes: list[tuple[int, int, int, int]] = []
    left = right = False
    # Columns first: an icon beside the words (Sora's cloud) is split off by a gap, so
    # it cannot bridge the gap between the two text lines; then rows within each group.
    for c0, c1 in _bands(mask.sum(0), max(6, int(0.15 * h))):
        sub = mask[:, c0 : c1 + 1]
        rows = sub.sum(1)
        # Gaps between lines are rows with few stroke pixels (descenders leave some).
        for y0, y1 in _bands(rows, 2, max(1, 0.08 * rows.max())):
            bh = y1 - y0 + 1
            cols = np.flatnonzero(sub[y0 : y1 + 1].sum(0) > 0)
            if bh < 6 or cols.size == 0:
                continue
            x0, x1 = c0 + cols[0], c0 + cols[-1]
            if x1 - x0 + 1 < 0.8 * bh:
                continue  # an icon or a speck, not a line of text
            left, right = left or x0 <= 1, right or x1 >= w - 2
            pad = max(2, bh // 4)
            xa, xb = max(0, x0 - pad), min(w, x1 + 1 + pad)
            ya, yb = max(0, y0 - pad), min(h, y1 + 1 + pad)
            boxes.append((int(xa), int(ya), int(xb - xa), int(yb - ya)))
    # Near-square blobs beside real lines are icons (Sora's cloud), not words.
    if any(bw >= 1.5 * bh for _, _, bw, bh in boxes):
        boxes = [b for b in boxes if b[2] >= 1.2 * b[3]]
    boxes.sort(key=lambda b: (b[1], b[0]))
    return boxes, left, right


def _join_rows(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Boxes on one row (their rows overlap by most of the taller) within a line height of
    each other, as one line: cutting a line's lower part widens the gaps between its glyphs
    beyond the column split's (an "L" without its foot parts "KLING" into "KI" and "ING")."""
    out = sorted(boxes, key=lambda b: b[0])
    i = 0
    while i < len(out) - 1:
        (ax, ay, aw, ah), (bx, by, bw, bh) = out[i], out[i + 1]
        rows = min(ay + ah, by + bh) - max(ay, by)
        if rows >= 0.6 * max(ah, bh) and bx - (ax + aw) <= max(ah, bh):
            x1, y0, y1 = max(ax + aw, bx + bw), min(ay, by), max(ay + ah, by + bh)
            out[i : i + 2] = [(ax, y0, x1 - ax, y1 - y0)]
        else:
            i += 1
    out.sort(key=lambda b: (b[1], b[0]))
    return out

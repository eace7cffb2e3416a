"""Open the HTML report in headless Chromium: no script errors, every chart drawn, pixels on screen.

The page records its own state on ``<html data-vocmine-status=...>``: ``ok:<charts>``
once every plotly chart is drawn with data, ``error:<why>`` on a script error or an
empty chart. Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped,
with that reason, where no Chromium is installed.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.fakes import fake_components
from vocmine import Pipeline
from vocmine.report import write_html
from vocmine.result import AnalysisResult

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"),
]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=20000"]
NEGATIVE, POSITIVE = (0xD1, 0x49, 0x5B), (0x2E, 0x9E, 0x6B)  # sentiment colours of the charts

_ROWS = [
    ("Доставка опоздала на три дня. Поддержка не отвечает!", 1, "delivery"),
    ("配送太慢了。价格还可以。", 2, None),
    ("Dostawa była szybka, ale cena za wysoka.", 3, None),
    ("Great app, fast delivery. Support was rude though.", 4, ""),
    ("The price is good.", 5, "purchase"),
    ("Цена хорошая, доставка быстрая.", 5, None),
    ("The app is broken <script>alert(1)</script> and bad.", 1, None),
    ("Support was great, problem solved.", 5, "support"),
    ("Okay, nothing special here.", 3, None),
]


def chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def decode_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit, non-interlaced RGB/RGBA PNG into a (height, width, channels) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8 : pos + 8 + size])
        elif kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + size])
        pos += 12 + size
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG header {header}"
    bpp = 3 if color == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, width * bpp + 1)
    out = np.zeros((height, width * bpp), dtype=np.uint8)
    prev = np.zeros(width * bpp, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:  # Sub: running sum along the row, per channel, modulo 256
            cur = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:  # Up
            cur = line + prev
        else:  # Average (3) or Paeth (4): sequential along the row
            row, up = bytearray(line.tobytes()), prev.tobytes()
            for i in range(len(row)):
                a = row[i - bpp] if i >= bpp else 0
                b = up[i]
                if kind == 3:
                    row[i] = (row[i] + ((a + b) >> 1)) & 0xFF
                    continue
                c = up[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            cur = np.frombuffer(bytes(row), dtype=np.uint8)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)


def near(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 12) -> int:
    """Number of pixels within ``tol`` of ``rgb`` on every channel."""
    return int((np.abs(img[..., :3].astype(int) - np.array(rgb)) <= tol).all(axis=-1).sum())


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df = pd.DataFrame([{"id": f"r{i}", "body": text, "stars": stars, "tp": tp,
                        "date": f"2025-{1 + i % 5:02d}-{1 + i % 27:02d}"}
                       for i, (text, stars, tp) in enumerate(_ROWS * 3)])
    result = Pipeline(components=fake_components()).run(
        df, text_col="body", id_col="id", rating_col="stars", touchpoint_col="tp", time_col="date")
    return write_html(result, tmp_path_factory.mktemp("report") / "report.html")


def status(dom: str) -> str:
    match = re.search(r'<html[^>]*\sdata-vocmine-status="([^"]*)"', dom)
    assert match, "no <html data-vocmine-status> in the dumped DOM: " + dom[:300]
    return match.group(1)


def test_report_renders_every_chart_without_script_errors(report: Path, tmp_path: Path) -> None:
    run = chromium(tmp_path, report.as_uri(), "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert status(run.stdout) == "ok:5"
    assert run.stdout.count('class="main-svg"') >= 5  # plotly drew its SVG layers


def test_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    run = chromium(tmp_path, report.as_uri(), f"--screenshot={shot}", "--window-size=1280,2600")
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    assert shot.stat().st_size > 30_000
    img = decode_png(shot.read_bytes())
    assert img.shape[:2] == (2600, 1280)
    assert img[..., :3].std() > 15  # not a flat page
    assert len(np.unique(img[::4, ::4, :3].reshape(-1, 3), axis=0)) > 100
    # Journey heatmap cells and language bars are painted in the sentiment colours.
    assert near(img, NEGATIVE) > 2_000 and near(img, POSITIVE) > 2_000


def test_status_hook_reports_script_errors_and_empty_charts(report: Path, tmp_path: Path) -> None:
    """The checks above can fail: broken figure data or a chart without data is reported."""
    assert status(chromium(tmp_path, write_html(AnalysisResult.empty(), tmp_path / "e.html").as_uri(),
                           "--dump-dom").stdout) == "ok:0"
    good = report.read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(good.replace("window.vocmineFigures = [", "window.vocmineFigures = [{id: 'nope'},", 1),
                      encoding="utf-8")
    assert status(chromium(tmp_path, broken.as_uri(), "--dump-dom").stdout).startswith("error:")
    empty = tmp_path / "empty-chart.html"
    empty.write_text(good.replace('"data":[', '"data":[],"unused":[', 1), encoding="utf-8")
    assert status(chromium(tmp_path, empty.as_uri(), "--dump-dom").stdout) == "error:empty chart chart-1"

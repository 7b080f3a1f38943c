"""How long app/pdf.py takes over a whole community's steward boards: 400 A4 pages, each with
Chinese text and its own QR code, made into one PDF.

    .venv/bin/python bench/pdf.py              # 400 pages, 3 runs, QR codes as SVG
    .venv/bin/python bench/pdf.py --qr png     # the same QR codes as one-pixel-a-module PNGs
    .venv/bin/python bench/pdf.py --pages 60 --runs 1

Prints each run's seconds, wall and CPU (on a shared machine the CPU time is the steadier
figure), and the PDF's size. The target on the 2-core reference machine: 400 pages under 10 s.
Needs no database: the boards are made up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import segno

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.pdf import html_to_pdf  # noqa: E402

STYLE = """
@page { size: A4; margin: 20mm; }
.board { break-after: page; }
.board h1 { font-size: 28pt; margin: 0 0 8mm; }
.board dl { font-size: 16pt; line-height: 1.8; }
.board dt { font-weight: 700; }
/* A PNG's modules stay sharp squares at any size. */
.board img { width: 45mm; height: 45mm; image-rendering: pixelated; }
.pact { font-size: 11pt; line-height: 1.6; }
"""

PACT = (
    "爱护公共设施，楼道内不堆放杂物，不停放电动自行车，不私拉电线充电。"
    "保持楼道整洁，垃圾分类投放，文明饲养宠物。邻里互助，有事共商，"
    "发现安全隐患及时告知楼道管家。"
)


def board(number: int, qr_format: str) -> str:
    building, unit = divmod(number, 4)
    qr = segno.make(f"https://gongjian.example.cn/boards/{number}", error="m")
    # WeasyPrint draws an SVG path in Python, command by command; a PNG is one small image.
    uri = qr.svg_data_uri(scale=4) if qr_format == "svg" else qr.png_data_uri(scale=1)
    return f"""<section class="board">
  <h1>兴隆苑 {building + 1}栋{unit + 1}单元 楼道管家公示牌</h1>
  <dl>
    <dt>物业管家</dt><dd>张{number % 10}明 138{number:08d}</dd>
    <dt>楼栋长</dt><dd>李{number % 7}华 139{number:08d}</dd>
    <dt>监督电话</dt><dd>023-6288{number % 10000:04d}</dd>
  </dl>
  <img src="{uri}" alt="">
  <p class="pact">{PACT}</p>
</section>"""


def document(pages: int, qr_format: str) -> str:
    boards = "\n".join(board(n, qr_format) for n in range(pages))
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>{STYLE}</style></head><body>{boards}</body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--qr", choices=("svg", "png"), default="svg")
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        # The HTML and its QR codes are made inside the timing, as the real export makes them.
        start, cpu = time.perf_counter(), time.process_time()
        pdf = html_to_pdf(document(args.pages, args.qr))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"run {run}: {args.pages} pages, QR as {args.qr}: {seconds:.2f} s "
            f"({cpu:.2f} s CPU), {len(pdf) / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Renders report.html in headless Chromium to a screenshot and a PDF, and fails when an image
is missing, a section is empty, a chart has no data marks, a PNG chart is missing or not
1600 px wide, the page logs a console error, or a header or cell of any table is not in the
printed PDF's text (a table cut off in print). Usage: check_report.py <report folder>..."""

import html.parser
import os
import re
import struct
import subprocess
import sys
import tempfile

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        for folder in os.environ.get("PATH", "").split(os.pathsep):
            path = os.path.join(folder, name)
            if os.access(path, os.X_OK):
                return path
    sys.exit("check_report: no chromium found; install the Debian package chromium")


def run(args, profile):
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done


class Page(html.parser.HTMLParser):
    """Collects sections (their id, heading and text), figures, marks and images."""

    def __init__(self):
        super().__init__()
        self.sections = []
        self.stack = []
        self.images = []
        self.links = []
        self.figures = []
        self.cells = []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag == "section":
            self.sections.append({"id": a.get("id", "?"), "text": "", "marks": 0, "blocks": 0})
        elif self.sections and tag in ("p", "table", "figure", "dl", "div"):
            self.sections[-1]["blocks"] += 1
        if tag == "figure":
            self.figures.append({"id": a.get("id", "?"), "marks": 0})
        if "mark" in (a.get("class") or "").split():
            if self.figures:
                self.figures[-1]["marks"] += 1
            if self.sections:
                self.sections[-1]["marks"] += 1
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "a" and a.get("href", "").startswith("charts/"):
            self.links.append(a["href"])
        if tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
        if tag in ("th", "td") and self.cell is not None:
            self.cells.append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.sections and "title" not in self.stack:
            self.sections[-1]["text"] += data
        if self.cell is not None:
            self.cell += data


def png_width(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">I", head[16:20])[0]


def squeezed(text):
    return re.sub(r"\s+", "", text)


def cut_off(pdf, cells):
    """The table cells whose text is not in the PDF's text. `pdftotext -raw` keeps the order
    Chromium drew the text in, a cell at a time, so a cell wrapped over lines stays whole once
    white space is taken out."""
    done = subprocess.run(["pdftotext", "-raw", pdf, "-"], capture_output=True, text=True)
    if done.returncode != 0:
        return [f"pdftotext failed: {done.stderr[-300:]}"]
    text = squeezed(done.stdout)
    return [c for c in cells if squeezed(c) and squeezed(c) not in text]


def check(folder):
    problems = []
    report = os.path.abspath(os.path.join(folder, "report.html"))
    url = "file://" + report
    with tempfile.TemporaryDirectory() as profile:
        dom = run(["--dump-dom", url], profile)
        if dom.returncode != 0:
            problems.append(f"chromium could not open {report}: {dom.stderr[-500:]}")
        console = [
            line
            for line in dom.stderr.splitlines()
            if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line
        ]
        problems += [f"console: {line}" for line in console]
        page = Page()
        page.feed(dom.stdout)
        shot = os.path.join(folder, "report-screenshot.png")
        pdf = os.path.join(folder, "report.pdf")
        run(["--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", url], profile)
        run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", url], profile)
    expected = [
        "headline", "ladder", "reach", "inequality", "conversations", "themes",
        "organisation", "leadership", "profile", "campaigns", "outcomes", "ambassadors",
        "quality", "definitions",
    ]
    found = [s["id"] for s in page.sections]
    if found != expected:
        problems.append(f"sections {found}, expected {expected}")
    for s in page.sections:
        words = re.sub(r"\s+", " ", s["text"]).strip()
        if s["blocks"] == 0 or len(words) < 20:
            problems.append(f"section {s['id']} is empty")
    if len(page.figures) < 8:
        problems.append(f"only {len(page.figures)} charts in the page")
    for f in page.figures:
        if f["marks"] == 0:
            problems.append(f"chart {f['id']} has no data marks")
    for src in page.images:
        if not os.path.exists(os.path.join(folder, src)):
            problems.append(f"missing image {src}")
    for href in page.links:
        path = os.path.join(folder, href)
        if not os.path.exists(path):
            problems.append(f"missing chart {href}")
        elif png_width(path) != 1600:
            problems.append(f"{href} is not a 1600 px wide PNG")
        if not os.path.exists(path[: -len(".png")] + ".svg"):
            problems.append(f"missing chart {href[:-4]}.svg")
    if not os.path.exists(shot) or png_width(shot) != 1280:
        problems.append("no screenshot")
    if not os.path.exists(pdf):
        problems.append("no PDF")
    else:
        with open(pdf, "rb") as f:
            data = f.read()
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        if not data.startswith(b"%PDF") or pages < len(expected):
            problems.append(f"the PDF has {pages} pages, expected at least {len(expected)}")
        missing = cut_off(pdf, page.cells)
        if len(page.cells) < 100:
            problems.append(f"only {len(page.cells)} table cells in the page")
        problems += [f"table cell not in the printed PDF: {c!r}" for c in missing]
    return problems


def main():
    failed = False
    for folder in sys.argv[1:]:
        problems = check(folder)
        for p in problems:
            print(f"{folder}: {p}", file=sys.stderr)
        failed |= bool(problems)
        if not problems:
            print(
                f"{folder}: report renders: 14 sections, charts with data, screenshot and PDF "
                "with every table whole"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Checks a page Chromium rendered (tests/integration/report.sh), with
nothing but the standard library: the screenshot is not blank (its PNG
decoded here), the DOM Chromium dumped has no script and nothing from
elsewhere, every chart drew elements, and the numbers the page shows.

  page_check.py PNG|- DOM      prints "charts N", "numbers" as id=value
                               lines, table rows as "table ID: cells|..."
"""
import html.parser
import struct
import sys
import zlib


def png_pixels(path):
    """(width, height, set of distinct RGB colours, share of non-white pixels)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    i, idat, w, h, ctype, depth = 8, b"", 0, 0, 0, 0
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        i += 12 + n
    assert depth == 8 and ctype in (2, 6), "PNG colour type %d depth %d" % (ctype, depth)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours, inked, pos = set(), 0, 0
    for _ in range(h):
        f = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):  # every fourth pixel is enough
            px = bytes(line[x:x + 3])
            colours.add(px)
            inked += px != b"\xff\xff\xff"
        prev = line
    return w, h, colours, inked / max(1, (w * h) // 4)


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.external = []
        self.charts = {}          # svg id -> drawn elements
        self.svg = None
        self.numbers = {}         # element id -> data-n
        self.tables = {}          # table id -> [[cell text]]
        self.table = None
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for k in ("src", "href", "xlink:href", "action"):
            if k in a and a[k]:
                self.external.append(a[k])
        if "style" in a and "url(" in a["style"]:
            self.external.append(a["style"])
        if tag == "svg":
            self.svg = a.get("id", "?")
            self.charts[self.svg] = 0
        elif self.svg and tag in ("rect", "line", "path", "circle"):
            self.charts[self.svg] += 1
        if "id" in a and "data-n" in a:
            self.numbers[a["id"]] = int(a["data-n"])
        if tag == "table":
            self.table = a.get("id", "?")
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def main():
    if sys.argv[1] != "-":
        w, h, colours, inked = png_pixels(sys.argv[1])
        print("screenshot %dx%d colours %d inked %.3f" % (w, h, len(colours), inked))
    d = Dom()
    d.feed(open(sys.argv[2], encoding="utf-8").read())
    print("scripts %d" % d.scripts)
    print("external %d %s" % (len(d.external), " ".join(d.external[:3])))
    print("charts %d" % len(d.charts))
    for cid, n in sorted(d.charts.items()):
        print("chart %s %d" % (cid, n))
    for k, v in sorted(d.numbers.items()):
        print("number %s=%d" % (k, v))
    for tid, rows in sorted(d.tables.items()):
        for r in rows[1:] if rows and rows[0] and not any(c.isdigit() for c in "".join(rows[0])) else rows:
            print("table %s: %s" % (tid, "|".join(r)))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Count the pixels of given colours in a PNG (no imaging library needed).

usage: png_colors.py FILE #rrggbb [#rrggbb ...]
Prints "#rrggbb N" per colour: pixels within 6 per channel of it.
"""
import re
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("only 8-bit RGB/RGBA, not interlaced")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    zeros = bytes(stride)
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        # A row the same as the one above (most of a screenshot of a page)
        # is filter Up with every byte 0: no per-byte loop for it.
        if f == 2 and line == zeros:
            rows.append(prev)
            continue
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
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    if len(sys.argv) < 3:
        print("usage: png_colors.py FILE #rrggbb ...")
        return 2
    width, height, bpp, rows = read_png(sys.argv[1])
    wanted = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in sys.argv[2:]]
    # One pattern per colour: a pixel's first three bytes each within 6 of
    # it, found by the regex engine; a lookahead so that every offset is
    # tried, and only offsets on a pixel's start count.
    def near(v):
        return b"[" + re.escape(bytes([max(v - 6, 0)])) + b"-" + \
            re.escape(bytes([min(v + 6, 255)])) + b"]"
    patterns = [re.compile(b"(?=" + near(r) + near(g) + near(b) + b")", re.S)
                for r, g, b in wanted]
    counts = [0] * len(wanted)
    last, last_counts = None, None
    for line in rows:
        if line is not last:
            last, last_counts = line, [
                sum(1 for m in p.finditer(line) if m.start() % bpp == 0)
                for p in patterns]
        counts = [c + n for c, n in zip(counts, last_counts)]
    for c, n in zip(sys.argv[2:], counts):
        print(c, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())

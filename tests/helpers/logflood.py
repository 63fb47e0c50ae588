#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# logflood.py MEGABYTES [COUNT_FILE]: writes lines to stdout as fast as the
# pipe takes them, MEGABYTES MB of them (0: for ever), in 64 KiB writes that
# cut lines anywhere, so the reader must put them back together. Line n is
# "L", n on 8 digits, "-" and x's: 100 characters, every 50th 2,000 (most
# pipe reads end inside one; shorter than vinit's longest line). A line
# that reaches the output cut, joined or mixed fails the pattern or the
# count. At the end the number of lines written goes to COUNT_FILE.
import os
import sys


def line(n):
    width = 1990 if n % 50 == 49 else 90
    return b"L%08d-" % n + b"x" * width + b"\n"


def main():
    limit = int(sys.argv[1]) * 1000 * 1000
    n = written = 0
    chunk = bytearray()
    while limit == 0 or written < limit:
        chunk += line(n)
        n += 1
        if len(chunk) >= 65536:
            view = memoryview(chunk)
            while view:
                view = view[os.write(1, view[:65536]):]
            written += len(chunk)
            chunk = bytearray()
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write(f"{n}\n")


main()

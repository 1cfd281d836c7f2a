#!/usr/bin/python3
"""Reads a file of concatenated HL7 v2 messages the way a careful python-hl7 user would:
in 1 MiB chunks, cut at each "MSH|" that starts a segment, hl7.parse each message, read every
OBX-5. Prints the message and OBX counts. For bench/run's peak-RSS step (issue 5, item 5):
the peers' own harness (../shared/bench/peers) parses one message in memory, not a file.

Usage: /usr/bin/python3 bench/peer_stream.py FILE
"""
import re
import sys

import hl7

START = re.compile(r"(?:^|(?<=[\r\n]))MSH\|")


def messages(path):
    pending = ""
    with open(path, encoding="utf-8", newline="") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            pending += chunk
            starts = [m.start() for m in START.finditer(pending)]
            # everything before the last start is complete
            for a, b in zip(starts, starts[1:]):
                yield pending[a:b]
            pending = pending[starts[-1]:] if starts else pending
    if pending.strip():
        yield pending


n = obx = 0
for text in messages(sys.argv[1]):
    m = hl7.parse(text.replace("\r\n", "\r").replace("\n", "\r").strip("\r"))
    obx += sum(1 for seg in m.segments("OBX") if str(seg[5]) is not None)
    n += 1
print(n, obx)

#!/usr/bin/env python3
"""extract_section.py -- the POLICY section of a catalog, as a seed for
tests/fuzz/fuzz_policy_section.c.

    extract_section.py CATALOG.alc OUT.bin
"""
import struct
import sys

ALC_SEC_POLICY = 16

img = open(sys.argv[1], 'rb').read()
dir_offset, count = struct.unpack_from('<II', img, 48)
for i in range(count):
    sid, entsize, cnt, flags, off, size = struct.unpack_from(
        '<IIIIQQ', img, dir_offset + 32 * i)
    if sid == ALC_SEC_POLICY:
        open(sys.argv[2], 'wb').write(img[off:off + size])
        break
else:
    sys.exit('extract_section.py: %s has no POLICY section' % sys.argv[1])

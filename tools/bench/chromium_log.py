#!/usr/bin/env python3
"""Writes a Chromium profile whose LevelDB log holds N tiny localStorage keys.

    tools/bench/chromium_log.py OUT_DIR N

OUT_DIR becomes a copy of examples/chromium-taskapp whose live log (000004.log) is replaced by
N puts (origin https://a.test, keys k0..kN-1, value "v"), 1,000 to a write batch, in LevelDB's
log format: the hostile log of issue 15 item 8 (1,000,000 keys in ~25 MB). Pure Python (the
CRC32C is computed here), so a million keys take a while.
"""
import shutil
import struct
import sys
from pathlib import Path

BLOCK = 32768
HEADER = 7


def crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def batch(sequence, puts):
    out = bytearray(struct.pack('<QI', sequence, len(puts)))
    for key, value in puts:
        out += b'\x01' + varint(len(key)) + key + varint(len(value)) + value
    return bytes(out)


def append_record(log, record):
    done, first = 0, True
    while True:
        left = BLOCK - len(log) % BLOCK
        if left < HEADER:
            log += b'\x00' * left
            left = BLOCK
        take = min(left - HEADER, len(record) - done)
        last = done + take == len(record)
        kind = 1 if first and last else 2 if first else 4 if last else 3
        payload = record[done:done + take]
        crc = masked(crc32c(bytes([kind]) + payload))
        log += struct.pack('<IHB', crc, take, kind) + payload
        done += take
        first = False
        if last:
            return


def main():
    out, count = Path(sys.argv[1]), int(sys.argv[2])
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / 'examples/chromium-taskapp', out)
    leveldb = out / 'Default/Local Storage/leveldb'
    (leveldb / 'LOCK').unlink(missing_ok=True)
    log = bytearray()
    sequence = 1_000_000
    per_batch = 1000
    for start in range(0, count, per_batch):
        puts = [(b'_https://a.test\x00\x01k%d' % i, b'\x01v')
                for i in range(start, min(count, start + per_batch))]
        append_record(log, batch(sequence, puts))
        sequence += len(puts)
    (leveldb / '000004.log').write_bytes(bytes(log))


if __name__ == '__main__':
    main()

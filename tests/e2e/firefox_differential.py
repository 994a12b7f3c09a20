#!/usr/bin/python3
"""Differential check of ferry's Firefox reader against sqlite3 + python-snappy (issue 21).

For every Firefox fixture, each origin's ls/data.sqlite is read here with Python's sqlite3,
values uncompressed with python-snappy (compression_type 1) and decoded as conversion_type
says (1: UTF-8, 0: UTF-16LE), every code unit kept (unpaired surrogates too); `ferry export`
of the same store must give exactly these keys and values for those origins.

  firefox_differential.py FERRY_BINARY SOURCE_DIR
Exit 0 when all agree, 1 on a difference, 77 (skipped) without python3-snappy or fixtures.
"""
import json
import os
import shutil
import subprocess
import sqlite3
import sys
import tempfile

try:
    import snappy
except ImportError:
    print("firefox_differential: python3-snappy is missing (tools/install_deps.sh); skipped")
    sys.exit(77)


def fixture_root(source_dir):
    for root in (os.path.join(source_dir, "tests/fixtures/browser"),
                 os.path.join(source_dir, "../shared/fixtures/browser")):
        if os.path.isdir(os.path.join(root, "firefox")):
            return os.path.join(root, "firefox")
    return None


def decode(blob, conversion):
    # surrogatepass: an unpaired surrogate stays a lone code unit, as ferry export keeps it.
    if conversion == 1:
        return blob.decode("utf-8", "surrogatepass")
    return blob.decode("utf-16-le", "surrogatepass")


def read_with_sqlite(store):
    """origin -> {key: value} of every storage/default/*/ls/data.sqlite under `store`."""
    origins = {}
    default = os.path.join(store, "storage", "default")
    if not os.path.isdir(default):
        return origins
    for folder in sorted(os.listdir(default)):
        path = os.path.join(default, folder, "ls", "data.sqlite")
        if not os.path.isfile(path):
            continue
        db = sqlite3.connect(path)
        db.text_factory = bytes
        (origin,) = db.execute("SELECT origin FROM database").fetchone()
        values = {}
        for key, conversion, compression, value in db.execute(
                "SELECT key, conversion_type, compression_type, value FROM data"):
            if compression == 1:
                value = snappy.uncompress(value)
            values[key.decode("utf-8", "surrogatepass")] = decode(value, conversion)
        db.close()
        origins[origin.decode("utf-8")] = values
    return origins


def main():
    ferry, source_dir = sys.argv[1], sys.argv[2]
    root = fixture_root(source_dir)
    if root is None:
        print("firefox_differential: browser fixtures not found; skipped")
        return 77
    failures = 0
    for scenario in sorted(os.listdir(root)):
        with tempfile.TemporaryDirectory() as work:
            # A writable copy: sqlite3 may write -shm files beside a WAL database.
            store = os.path.join(work, "store")
            shutil.copytree(os.path.join(root, scenario), store)
            reference = read_with_sqlite(store)
            out = os.path.join(work, "export.json")
            run = subprocess.run([ferry, "export", "firefox:" + store, "--out", out],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                print(f"{scenario}: ferry export exit {run.returncode}: {run.stderr[-500:]}")
                failures += 1
                continue
            with open(out, encoding="utf-8", errors="surrogatepass") as f:
                exported = json.load(f)
            keys = 0
            for origin, values in reference.items():
                got = exported.get(origin)
                if got != values:
                    missing = set(values) - set(got or {})
                    differ = [k for k in values if got and k in got and got[k] != values[k]]
                    print(f"{scenario} {origin}: ferry differs: {len(missing)} key(s) missing, "
                          f"{len(differ)} value(s) differ, e.g. {(list(missing) + differ)[:3]!r}")
                    failures += 1
                keys += len(values)
            print(f"{scenario}: {len(reference)} origin(s), {keys} key(s) "
                  f"{'agree' if failures == 0 else 'checked'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

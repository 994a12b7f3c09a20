#!/usr/bin/python3
"""Differential check of ferry's Firefox reader against sqlite3 + python-snappy (issue 21).

For every Firefox fixture, each origin's ls/data.sqlite is read here with Python's sqlite3,
values uncompressed with python-snappy (compression_type 1) and decoded as conversion_type
says (1: UTF-8, 0: UTF-16LE), every code unit kept (unpaired surrogates too); `ferry export`
of the same store must give exactly these keys and values for those origins.

Then mutated copies, as the LevelDB check makes (tests/extractors/chromium/leveldb_reader_test.cc):
for each fixture but the large one, COPIES copies with one byte of one origin's data.sqlite
flipped (a fixed seed). Where sqlite3 or python-snappy fails reading an origin (or finds a
conversion or compression type Firefox never writes), ferry must report damage: a non-zero
exit and a message naming that file. Every origin they read whole, ferry must export with
exactly the same keys and values (the table's rows, as Firefox reads them), and a copy they
read whole must export with exit 0, unless `PRAGMA integrity_check` finds damage the rows do
not show (an index or a pointer-map page): ferry may report that, naming the file.

  firefox_differential.py FERRY_BINARY SOURCE_DIR [COPIES]   (COPIES: default 16)
Exit 0 when all agree, 1 on a difference, 77 (skipped) without python3-snappy or fixtures.
"""
import json
import os
import random
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


def utf8_text(blob):
    # surrogatepass: an unpaired surrogate stays a lone code unit, as ferry export keeps it; a
    # pair spelled as two 3-byte surrogates (CESU-8) is joined into its character, as ferry does.
    units = blob.decode("utf-8", "surrogatepass").encode("utf-16-le", "surrogatepass")
    return units.decode("utf-16-le", "surrogatepass")


def decode(blob, conversion):
    if conversion == 1:
        return utf8_text(blob)
    if conversion == 0:
        return blob.decode("utf-16-le", "surrogatepass")
    raise ValueError(f"conversion_type {conversion!r}")


def data_files(store):
    """Every storage/default/*/ls/data.sqlite under `store`, sorted."""
    default = os.path.join(store, "storage", "default")
    if not os.path.isdir(default):
        return []
    paths = (os.path.join(default, folder, "ls", "data.sqlite")
             for folder in sorted(os.listdir(default)))
    return [path for path in paths if os.path.isfile(path)]


def read_origin(path):
    """(origin, {key: value}) of one data.sqlite; raises where sqlite3 or snappy fails."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.text_factory = bytes
        (origin,) = db.execute("SELECT origin FROM database").fetchone()
        values = {}
        for key, conversion, compression, value in db.execute(
                "SELECT key, conversion_type, compression_type, value FROM data"):
            if compression == 1:
                value = snappy.uncompress(value)
            elif compression != 0:
                raise ValueError(f"compression_type {compression!r}")
            key = utf8_text(key)
            if key in values:  # the PRIMARY KEY holds no longer: a row's key was damaged
                raise ValueError(f"key {key!r} twice")
            values[key] = decode(value, conversion)
        return origin.decode("utf-8"), values
    finally:
        db.close()


def integrity_problems(path):
    """What `PRAGMA integrity_check` finds wrong in `path` (empty: nothing)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = [row[0] for row in db.execute("PRAGMA integrity_check")]
        finally:
            db.close()
    except sqlite3.Error as error:
        return [str(error)]
    return [] if found == ["ok"] else found


def read_with_sqlite(store):
    """(origin -> {key: value} of the origins read whole, data.sqlite path -> failure)."""
    origins, failures = {}, {}
    for path in data_files(store):
        try:
            origin, values = read_origin(path)
            origins[origin] = values
        except Exception as error:  # sqlite3.Error, snappy's, UnicodeDecodeError, ValueError
            failures[path] = f"{type(error).__name__}: {error}"
    return origins, failures


def export(ferry, store, out):
    """(exit code, stderr, {origin: {key: value}} or None) of `ferry export` of `store`."""
    run = subprocess.run([ferry, "export", "firefox:" + store, "--out", out],
                         capture_output=True, text=True, errors="replace")
    exported = None
    if os.path.isfile(out):
        with open(out, encoding="utf-8", errors="surrogatepass") as f:
            exported = json.load(f)
    return run.returncode, run.stderr, exported


def check_mutated(ferry, scenario, source, copies):
    """Differences between ferry and sqlite3 + snappy on `copies` mutated copies of `source`."""
    rng = random.Random(f"issue 21 {scenario}")
    problems, damaged_copies = [], 0
    for copy in range(copies):
        with tempfile.TemporaryDirectory() as work:
            store = os.path.join(work, "store")
            shutil.copytree(source, store)
            path = rng.choice(data_files(store))
            size = os.path.getsize(path)
            offset, flip = rng.randrange(size), rng.randrange(1, 256)
            with open(path, "r+b") as f:
                f.seek(offset)
                byte = f.read(1)[0]
                f.seek(offset)
                f.write(bytes([byte ^ flip]))
            where = f"{scenario} copy {copy} ({os.path.relpath(path, store)} byte {offset} ^ {flip:#x})"
            reference, failures = read_with_sqlite(store)
            code, stderr, exported = export(ferry, store, os.path.join(work, "export.json"))
            if failures:
                damaged_copies += 1
                if code == 0:
                    problems.append(f"{where}: sqlite3/snappy failed ({failures[path]}) "
                                    "but ferry exported with exit 0")
                elif path not in stderr:
                    problems.append(f"{where}: sqlite3/snappy failed ({failures[path]}); "
                                    f"ferry exit {code} without naming the file: {stderr[-300:]}")
            elif code != 0 and not (integrity_problems(path) and path in stderr):
                problems.append(f"{where}: sqlite3/snappy read it whole, integrity_check "
                                f"{integrity_problems(path)[:2]}; ferry exit {code}: "
                                f"{stderr[-300:]}")
            for origin, values in reference.items():
                got = None if exported is None else exported.get(origin)
                if got != values:
                    problems.append(f"{where}: {origin} read whole by sqlite3/snappy, "
                                    f"ferry's export differs (exit {code}): {stderr[-300:]}")
    print(f"{scenario}: {copies} mutated copies, {damaged_copies} damaged for sqlite3/snappy, "
          f"{len(problems)} difference(s)")
    return problems


def main():
    ferry, source_dir = sys.argv[1], sys.argv[2]
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 16
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
            reference, unread = read_with_sqlite(store)
            if unread:
                print(f"{scenario}: sqlite3/snappy cannot read the fixture: {unread}")
                failures += 1
            code, stderr, exported = export(ferry, store, os.path.join(work, "export.json"))
            if code != 0:
                print(f"{scenario}: ferry export exit {code}: {stderr[-500:]}")
                failures += 1
                continue
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
    for scenario in sorted(os.listdir(root)):
        if scenario == "large":  # 3.7 MB: the copies of the others cover the same code
            continue
        for problem in check_mutated(ferry, scenario, os.path.join(root, scenario), copies):
            print(problem)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

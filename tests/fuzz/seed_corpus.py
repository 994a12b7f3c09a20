#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/seed-*).

The browser stores come from the shared fixtures (../shared/fixtures/browser, see its
README.md), the mappings and schemas from this repository; the rest are written here, one
case of each kind the decoder tells apart. Seeds are kept small (the repository stays lean);
inputs that fuzzing finds are added beside them as finding-* (tools/fuzz.sh says how).

Usage: tests/fuzz/seed_corpus.py [FIXTURES]   (run from the repository root)
"""
import json
import pathlib
import sqlite3
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"
FIXTURES = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "../shared/fixtures/browser"
CHROMIUM = FIXTURES / "chromium"
FIREFOX = FIXTURES / "firefox"
MAX_SEED = 32 * 1024


def put(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    (folder / f"seed-{name}").write_bytes(data)


def leveldb(scenario):
    return CHROMIUM / scenario / "Default/Local Storage/leveldb"


def snappy_literal(raw):
    """Snappy raw format with literals only: a valid stream any decoder must take."""
    out = bytearray()
    n = len(raw)
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if n == 0:
            break
    for start in range(0, len(raw), 60):
        chunk = raw[start:start + 60]
        out.append((len(chunk) - 1) << 2)
        out += chunk
    return bytes(out)


def chromium():
    for scenario in ("multi-origin", "unicode", "taskapp-killed"):
        log = next(leveldb(scenario).glob("*.log")).read_bytes()
        put("chromium_log", f"{scenario}.log", log[:MAX_SEED])
    for scenario in ("taskapp-clean", "taskapp-killed"):
        put("chromium_manifest", scenario, (leveldb(scenario) / "MANIFEST-000001").read_bytes())
    put("chromium_table", "taskapp-clean.ldb", (leveldb("taskapp-clean") / "000005.ldb").read_bytes())
    origin = "_http://127.0.0.1:8000\x00"
    for name, key in {
        "version": "VERSION",
        "meta": "META:http://127.0.0.1:8000",
        "metaaccess": "METAACCESS:http://127.0.0.1:8000",
        "data-latin1": origin + "\x01tasks",
        "data-utf16": origin + "\x00t\x00a\x00",
        "malformed": "_http://127.0.0.1:8000",
        "empty-key": origin,
    }.items():
        put("chromium_key", name, key.encode("latin-1"))
    for name, value in {
        "latin1": b"\x01caf\xe9",
        "utf16": b"\x00" + "h\u00e9\U0001f511".encode("utf-16-le"),
        "lone-surrogate": b"\x00\x00\xd8x\x00",
        "odd-byte": b"\x00a\x00b",
        "empty": b"",
        "bad-encoding": b"\x02abc",
    }.items():
        put("chromium_value", name, value)


def firefox():
    store = FIREFOX / "unicode/storage/default/http+++127.0.0.1+8000/ls/data.sqlite"
    rows = sqlite3.connect(f"file:{store}?mode=ro", uri=True).execute(
        "select conversion_type, compression_type, utf16_length, value from data "
        "where length(value) < 512 order by key")
    taken = {}
    for conversion, compression, length, value in rows:
        kind = (conversion, compression)
        if taken.get(kind, 0) >= 3:
            continue
        taken[kind] = taken.get(kind, 0) + 1
        head = bytes([conversion | compression << 2 | 0x10]) + struct.pack("<i", length)
        put("firefox_value", f"unicode-{conversion}{compression}-{taken[kind]}", head + value)
    text = "h\u00e9llo \U0001f511 world " * 4
    utf16 = text.encode("utf-16-le")
    put("firefox_value", "utf16-snappy", bytes([0 | 1 << 2 | 0x10]) +
        struct.pack("<i", len(utf16) // 2) + snappy_literal(utf16))
    put("firefox_value", "utf8-snappy-no-length", bytes([1 | 1 << 2]) + snappy_literal(text.encode()))
    put("firefox_value", "utf16-lone-surrogate", bytes([0]) + b"\x00\xd8a\x00")
    for name, text in {
        "folder": "http+++127.0.0.1+8000",
        "folder-ipv6": "https+++[++1]+8443^userContextId=2",
        "folder-file": "file++++home+user+index.html",
        "key": "1.0.0.721.:http:8000",
        "key-default-port": "moc.elpmaxe.:https:443\n",
        "key-attributes": "1.0.0.721.:http:8000\n^userContextId=1",
    }.items():
        put("firefox_origin", name, text)


def text():
    for name, data in {
        "ascii-utf16": "tasks".encode("utf-16-le"),
        "pair": "\U0001f511".encode("utf-16-le"),
        "lone-low": b"\x00\xdca\x00",
        "odd": b"a\x00b",
        "latin1": b"caf\xe9",
        "utf8-surrogate": b"\xed\xa0\x80x",
        "utf8-bad": b"\xc0\xafok\xf4\x90\x80\x80",
    }.items():
        put("text_utf16", name, data)
    for name, data in {
        "plain": '"tasks"',
        "escapes": r'"a\"b\\c\/\b\f\n\r\t\u0041"',
        "pair": r'"\ud83d\udd11"',
        "lone": r'"\ud800x\uDC00"',
        "utf8": '"h\u00e9llo \U0001f511"',
        "unterminated": r'"abc\"',
        "bad-escape": r'"\x41"',
    }.items():
        put("json_string", name, data)


def records():
    tasks = [{"id": "task-1", "title": "Write docs", "status": "todo", "tags": ["a", "b"],
              "createdAt": "2024-02-24T10:21:45.454Z", "environmentId": "env-1"},
             {"id": 2, "title": "caf\u00e9 \U0001f511", "status": "done", "createdAt": 1708770105454,
              "nested": {"deep": [[1, 2.5e10, -0.0], None, True, False]}}]
    dump = {"tasks": json.dumps(tasks), "schemaVersion": "3", "userPreferences": '{"theme":"dark"}'}
    put("dump", "flat.json", json.dumps(dump, indent=1))
    put("dump", "origins.json", json.dumps({"http://127.0.0.1:8000": dump, "http://localhost:8002": {"k": "v"}}))
    put("dump", "lone-surrogate.json", '{"k\\ud800": "v\\udc00x", "n": 5}')
    put("dump", "mixed.json", '{"a": "1", "http://x": {"b": "2"}}')
    put("json_array", "tasks.json", json.dumps(tasks, indent=2))
    put("json_array", "scalars.json", '[1, "s", null, true, {"a": [1, {"b": 2}]}, [[]] ]')
    put("json_array", "broken.json", '[{"a": 1}, {"b": ] , 3')
    put("ndjson", "tasks.ndjson", "\n".join(json.dumps(t) for t in tasks) + "\r\n\n{bad\n[1,2]\n")
    put("ndjson", "no-newline.ndjson", '{"a": "\\ud800"}')


def schemas():
    taskapp = ROOT / "schemas/taskapp"
    put("mapping_yaml", "taskapp.yaml", (taskapp / "mapping.yaml").read_bytes())
    put("mapping_yaml", "notes.yaml", (ROOT / "tests/data/mappings/notes.yaml").read_bytes())
    for name in ("task", "environment"):
        schema = (taskapp / f"{name}.schema.json").read_bytes()
        put("json_schema", name, schema + b"\0" + b'{"id": "t-1", "title": "x", "createdAt": "2024-13-01T00:00:00Z"}\n'
            b'{"id": 3, "title": 5, "status": "??", "config": {"githubToken": 1}}\n[]\n')
    put("json_schema", "pattern-ref", json.dumps({
        "definitions": {"node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"},
                                                                 "name": {"type": "string", "pattern": "^(a+)+$"}}}},
        "$ref": "#/definitions/node"}).encode() + b"\0" + b'{"next": {"next": {"name": "aaaa!"}}}\n')
    for name, text in {
        "utc": "2023-02-24T10:21:45.454Z",
        "offset": "2023-02-24t10:21:45+02:00",
        "leap-second": "2016-12-31T23:59:60.5Z",
        "long-fraction": "1970-01-01T00:00:00.123456789-00:00",
        "date": "2024-02-29",
        "bad-day": "2023-02-30T00:00:00Z",
    }.items():
        put("rfc3339", name, text)
    for name, text in {
        "ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "lower-ilo": "01arz3ndektsv4rrffq69g5fav".replace("1", "l").replace("0", "o"),
        "max": "7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
        "too-big": "8ZZZZZZZZZZZZZZZZZZZZZZZZZ",
        "short": "01ARZ3",
    }.items():
        put("ulid", name, text)


if __name__ == "__main__":
    chromium()
    firefox()
    text()
    records()
    schemas()

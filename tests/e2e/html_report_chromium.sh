#!/usr/bin/env bash
# End-to-end: migrate --dry-run --report FILE.html, rendered by a real browser (issue 20 item 1).
# Headless Chromium loads the page with every network path pointing nowhere; the test checks the
# rendered DOM for the entity table, a reject reason and a conflict's values before -> after,
# takes a screenshot that must not be blank, and reads Chromium's network log: no request may
# leave the page. A control page that does load from elsewhere proves the network check can fail.
#
# Usage: html_report_chromium.sh FERRY SOURCE_DIR
# Exit 77 (ctest: skipped) when Chromium is missing, unless FERRY_REQUIRE_CHROMIUM=1 (set by
# tools/test.sh, which installs it: CI must not skip it silently). FERRY_REPORT_SCREENSHOT=PATH
# copies the screenshot there (docs/img/report.png is taken so).
set -euo pipefail

ferry=$1
source_dir=$2
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
  if [[ ${FERRY_REQUIRE_CHROMIUM:-0} == 1 ]]; then
    echo "FAIL: chromium is not installed (apt-get install chromium; tools/install_deps.sh)" >&2
    exit 1
  fi
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The README's example: 5 entities, 9 rejects. A dry run writes nothing but the report.
status=0
"$ferry" migrate "$source_dir/examples/chromium-taskapp" --user-id demo \
  --target "sqlite:$work/target.db" --dry-run --progress none \
  --report "$work/report.html" --report "$work/report.json" >"$work/out.txt" 2>&1 || status=$?
[[ $status -eq 3 ]] || { cat "$work/out.txt"; fail "ferry migrate exited $status, expected 3"; }
[[ -s $work/report.html && -s $work/report.json ]] || fail "a report is missing"
[[ $(stat -c %a "$work/report.html") == 600 ]] || fail "report.html is not 0600"

# Nothing in the page can load from elsewhere.
if grep -Eiq '<script|@import|url\(|(src|href)[[:space:]]*=' "$work/report.html"; then
  fail "the page holds a script, an import, a url() or a src/href"
fi

# Every way out of the browser points nowhere; background services are off.
browse() {
  timeout 120 "$chromium" --headless --disable-gpu --no-sandbox --hide-scrollbars \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-default-apps --disable-extensions --disable-sync \
    --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}

browse --dump-dom "file://$work/report.html" >"$work/dom.html" || fail "chromium --dump-dom failed"
grep -q '<table class="entities">' "$work/dom.html" || fail "no entity table in the rendered DOM"
grep -q '<td>tasks</td>' "$work/dom.html" || fail "no tasks row in the rendered DOM"
grep -q 'is not an RFC 3339 date-time' "$work/dom.html" || fail "no reject reason in the DOM"
grep -q 'id="rejects"' "$work/dom.html" || fail "no rejects section in the DOM"

# A conflict shown before -> after: the example loaded for real, one title changed in the
# target since, then a dry run that would overwrite it.
status=0
"$ferry" migrate "$source_dir/examples/chromium-taskapp" --user-id demo \
  --target "sqlite:$work/target.db" --continue-on-error --no-backup --progress none \
  >"$work/load.txt" 2>&1 || status=$?
[[ $status -eq 3 ]] || { cat "$work/load.txt"; fail "the real load exited $status, expected 3"; }
python3 - "$work/target.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE tasks SET title = 'changed in the app' WHERE rowid = (SELECT min(rowid) FROM tasks)")
db.commit()
PY
status=0
"$ferry" migrate "$source_dir/examples/chromium-taskapp" --user-id demo \
  --target "sqlite:$work/target.db" --dry-run --conflict overwrite --progress none \
  --report "$work/conflict.html" >"$work/conflict.txt" 2>&1 || status=$?
[[ $status -eq 3 ]] || { cat "$work/conflict.txt"; fail "the conflict dry run exited $status"; }
browse --dump-dom "file://$work/conflict.html" >"$work/conflict-dom.html" ||
  fail "chromium --dump-dom failed on the conflict page"
grep -q '<table class="conflicts">' "$work/conflict-dom.html" || fail "no conflicts table in the DOM"
grep -q '<code class="before">"changed in the app"</code>' "$work/conflict-dom.html" ||
  fail "no conflict's value before in the DOM"
grep -Eq '<code class="after">"[^"]+"</code>' "$work/conflict-dom.html" ||
  fail "no conflict's value after in the DOM"

browse --screenshot="$work/report.png" --window-size=1200,900 "file://$work/report.html" \
  >/dev/null || fail "chromium --screenshot failed"

# requests.py PAGE_NETLOG: the URLs the page asked for (not Chromium's own services: those
# have no file:// network isolation key).
cat >"$work/requests.py" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))["events"]
for event in events:
    params = event.get("params", {})
    url = params.get("url", "")
    if "file://" in params.get("network_isolation_key", "") and not url.startswith("file:"):
        print(url)
PY
page_requests() {
  rm -f "$work/net.json"
  browse --log-net-log="$work/net.json" --dump-dom "file://$1" >/dev/null ||
    fail "chromium failed on $1"
  python3 "$work/requests.py" "$work/net.json"
}
printf '<!DOCTYPE html><img src="http://example.invalid/x.png">\n' >"$work/control.html"
[[ -n $(page_requests "$work/control.html") ]] || fail "the network check sees no request"
requests=$(page_requests "$work/report.html")
[[ -z $requests ]] || fail "the report asked for: $requests"

# The screenshot is a PNG of 1200x900 with more than a few colours (not blank).
python3 - "$work/report.png" <<'PY' || fail "the screenshot is blank or not a PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
at, idat, header = 8, b"", None
while at < len(data):
    length, kind = struct.unpack(">I4s", data[at:at + 8])
    body = data[at + 8:at + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    at += 12 + length
width, height, depth, colour = header[:4]
assert (width, height) == (1200, 900) and depth == 8 and colour in (2, 6), header
step = 3 if colour == 2 else 4
raw, stride = zlib.decompress(idat), width * step
previous, colours = bytearray(stride), set()
for y in range(height):
    kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - step] if x >= step else 0
        b = previous[x]
        c = previous[x - step] if x >= step else 0
        if kind == 1: line[x] = (line[x] + a) & 255
        elif kind == 2: line[x] = (line[x] + b) & 255
        elif kind == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 10 == 0:
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, step * 4))
    previous = line
print(f"screenshot: {len(colours)} colours sampled")
assert len(colours) > 8, colours
PY

if [[ -n ${FERRY_REPORT_SCREENSHOT:-} ]]; then
  cp "$work/report.png" "$FERRY_REPORT_SCREENSHOT"
fi
echo "PASS: the HTML report renders in Chromium, loads nothing, and is not blank"

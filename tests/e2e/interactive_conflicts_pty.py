"""--conflict interactive through a real pseudo-terminal (issue 20 item 2).

Usage: interactive_conflicts_pty.py FERRY WORK_DIR
Loads five tasks, changes four of them in the source, then runs `--conflict interactive` on a
pty: the first conflict is drawn at the terminal's width and answered `o`; the terminal is resized
and the next conflict is drawn at the new width; `q` stops with nothing of the batch written
(exit 130, resumable). The same command again resumes: task 1 is answered `s`, task 3 `m`, task 4
`O`, which overwrites the rest of the entity (task 5) without asking. Every decision is in the
target's audit log (entity, key, ULID, never a value) and in the JSON and HTML reports, and
`ferry validate` compares each row as its decision wrote it: exit 0. Without a terminal on stdin
the run is refused (exit 2) before anything is read. Prints PASS, or FAIL: why (exit 1).
"""
import fcntl, json, os, pty, select, sqlite3, struct, subprocess, sys, termios, time

ferry, work = sys.argv[1], sys.argv[2]
dump, db = os.path.join(work, "u.json"), os.path.join(work, "t.db")


def fail(why, output=b""):
    print("FAIL:", why)
    print(output.decode("utf-8", "replace"))
    sys.exit(1)


def write_dump(title):
    # Task 2 is the same in both versions: equal to its row, it is not asked about.
    tasks = [{"id": i, "title": f"{title} {i}" if i != 2 else "same 2", "status": "todo",
              "createdAt": "2020-01-01T00:00:00Z", "updatedAt": "2020-01-02T00:00:00Z"}
             for i in (1, 2, 3, 4, 5)]
    with open(dump, "w") as out:
        json.dump({"tasks": json.dumps(tasks)}, out)


def titles():
    rows = sqlite3.connect(db).execute("SELECT legacy_id, title FROM tasks ORDER BY 1")
    return [title for _, title in rows]


command = [ferry, "migrate", dump, "--user-id", "u", "--target", "sqlite:" + db,
           "--progress", "none", "--no-backup"]
write_dump("first")
if subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True).returncode != 0:
    fail("the first load failed")
write_dump("second")

# No terminal: refused before anything is read.
before = open(db, "rb").read()
plain = subprocess.run(command + ["--conflict", "interactive"], stdin=subprocess.DEVNULL,
                       capture_output=True)
if plain.returncode != 2 or b"terminal" not in plain.stderr:
    fail(f"without a terminal: exit {plain.returncode}", plain.stderr)
if open(db, "rb").read() != before:
    fail("the target changed without a terminal")


def spawn(columns):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(ferry, command + ["--conflict", "interactive"])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return pid, fd


def read_until(fd, marker, output, timeout=60, count=1):
    end = time.time() + timeout
    while output.count(marker) < count:
        if time.time() > end:
            fail(f"no {marker!r} within {timeout} s", output)
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                fail(f"the terminal closed before {marker!r}", output)
            if not chunk:
                fail(f"the terminal closed before {marker!r}", output)
            output += chunk
    return output


def finish(pid, fd, output):
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


PROMPT = b"q stop > "
pid, fd = spawn(100)
out = read_until(fd, PROMPT, b"")
if b"\n" + b"-" * 100 + b"\r\n" not in b"\n" + out:
    fail("the first conflict is not drawn at 100 columns", out)
if b"* title" not in out or b'"first 1"' not in out or b'"second 1"' not in out:
    fail("the first conflict does not show title current -> incoming", out)
# The resize, then the key: the next conflict is drawn after both.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
os.write(fd, b"o")
rest = read_until(fd, PROMPT, b"")
if b"tasks 3: the target holds this row" not in rest:
    fail("the next question is not task 3's (task 2 equals its row)", rest)
if b"-" * 60 + b"\r\n" not in rest or b"-" * 61 in rest:
    fail("after the resize the next conflict is not drawn at 60 columns", rest)
if any(len(line) > 60 for line in rest.split(b"\r\n")[:-1]):
    fail("a line is wider than the resized terminal", rest)
os.write(fd, b"q")
code, rest = finish(pid, fd, rest)
if code != 130:
    fail(f"q: exit {code}, expected 130", rest)
if titles() != ["first 1", "same 2", "first 3", "first 4", "first 5"]:
    fail(f"q wrote part of the batch: {titles()}", rest)

# The same command resumes: s, m, then O for the rest of tasks, with both reports.
report_json, report_html = os.path.join(work, "r.json"), os.path.join(work, "r.html")
command += ["--report", report_json, "--report", report_html]
pid, fd = spawn(80)
out = b""
for asked, (key, task) in enumerate(((b"s", 1), (b"m", 3), (b"O", 4)), 1):
    out = read_until(fd, PROMPT, out, count=asked)
    if f"tasks {task}: the target holds this row".encode() not in out.split(b"-" * 80)[-1]:
        fail(f"the question before {key!r} is not task {task}'s", out)
    os.write(fd, key)
code, out = finish(pid, fd, out)
if code != 0:
    fail(f"after O: exit {code}", out)
if out.count(PROMPT) != 3:
    fail("O asked again", out)
got = titles()
if got[0] != "first 1" or got[1] != "same 2" or got[3:] != ["second 4", "second 5"]:
    fail(f"s/m/O did not decide tasks as answered: {got}", out)

# Every decision in the audit log, with the batch it shaped: key, ULID and answer, no value.
decided = {}
for (detail,) in sqlite3.connect(db).execute(
        "SELECT detail FROM ferry_audit_log WHERE action = 'conflict decision'"):
    if "second" in detail or "first" in detail:
        fail("a value of the data is in the audit log: " + detail)
    for d in json.loads(detail):
        if d["entity"] != "tasks" or len(d["ulid"]) != 26:
            fail("a decision without its entity or ULID: " + detail)
        decided[d["key"]] = (d["decision"], d["asked"])
want = {"1": ("skip", True), "3": ("merge", True), "4": ("overwrite", True),
        "5": ("overwrite", False)}
if decided != want:
    fail(f"the audit log holds {decided}, expected {want}")
tasks = json.load(open(report_json))["entities"]["tasks"]
counts = tasks.get("decisions", {})
if [counts.get(k) for k in ("skip", "overwrite", "merge", "by_rule")] != [1, 2, 1, 1]:
    fail(f"the JSON report's decisions: {counts}")
if len(counts.get("examples", [])) != 4:
    fail(f"the JSON report's decision examples: {counts}")
html = open(report_html).read()
if 'id="decisions"' not in html or "1 skip, 2 overwrite, 1 merge (1 by an S/O/M answer)" not in html:
    fail("the HTML report does not show the decisions")

# validate compares each row as its decision wrote it: the skipped task 1 is kept, not a
# difference (it was one while the run was recorded as --conflict overwrite).
check = subprocess.run([ferry, "validate", "--target", "sqlite:" + db], stdin=subprocess.DEVNULL,
                       capture_output=True)
if check.returncode != 0:
    fail(f"validate: exit {check.returncode}", check.stdout + check.stderr)
if b"the decision the run recorded for each" not in check.stdout:
    fail("validate does not say it compared by the recorded decisions", check.stdout)
print("PASS")

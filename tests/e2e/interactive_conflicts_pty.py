"""--conflict interactive through a real pseudo-terminal (issue 20 item 2).

Usage: interactive_conflicts_pty.py FERRY WORK_DIR
Loads three tasks, changes two of them in the source, then runs `--conflict interactive` on a pty:
the first conflict is drawn at the terminal's width and answered `o`; the terminal is resized
and the next conflict is drawn at the new width; `q` stops with nothing of the batch written
(exit 130, resumable). The same command again resumes; `O` overwrites the rest of the entity
without asking. Without a terminal on stdin the run is refused (exit 2) before anything is read.
Prints PASS, or FAIL: why (exit 1).
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
             for i in (1, 2, 3)]
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


def read_until(fd, marker, output, timeout=60):
    end = time.time() + timeout
    while marker not in output:
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
if titles() != ["first 1", "same 2", "first 3"]:
    fail(f"q wrote part of the batch: {titles()}", rest)

# The same command resumes; O overwrites every remaining conflict of tasks unasked.
pid, fd = spawn(80)
out = read_until(fd, PROMPT, b"")
os.write(fd, b"O")
code, out = finish(pid, fd, out)
if code != 0:
    fail(f"after O: exit {code}", out)
if out.count(PROMPT) != 1:
    fail("O asked again", out)
if titles() != ["second 1", "same 2", "second 3"]:
    fail(f"O did not overwrite every task: {titles()}", out)
print("PASS")

"""`ferry completion zsh` in a real interactive zsh on a pseudo-terminal (issue 20 item 4).

Usage: zsh_completion_pty.py FERRY
Starts `zsh -f -i`, loads the script as the README says (compinit and bashcompinit run inside
it), checks it registered ferry's completion with compinit, then presses Tab after partial
command lines and reads back the line zsh completed (by running `print` over it) or the list it
showed. Prints PASS, or FAIL: why (exit 1).
"""
import os, pty, select, sys, time

ferry = sys.argv[1]
FOLDER = os.path.dirname(os.path.abspath(ferry))


def fail(why, output=b""):
    print("FAIL:", why)
    print(output.decode("utf-8", "replace"))
    sys.exit(1)


pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "dumb"
    os.environ["PATH"] = FOLDER + os.pathsep + os.environ.get("PATH", "")
    os.environ["HOME"] = os.environ.get("TMPDIR", "/tmp")
    os.execvp("zsh", ["zsh", "-f", "-i"])


seen = b""  # everything zsh wrote
at = 0       # where the next read_until starts looking


def read_until(marker, timeout=60):
    """Waits for `marker` after what was read until; returns the output up to its end."""
    global seen, at
    end = time.time() + timeout
    while seen.find(marker, at) < 0:
        if time.time() > end:
            fail(f"no {marker!r} within {timeout} s", seen[at:])
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                fail(f"zsh ended before {marker!r}", seen[at:])
            seen += chunk
    start, at = at, seen.find(marker, at) + len(marker)
    return seen[start:at]


# Markers are computed by zsh ($((...))), so that the echo of the typed line never matches.
os.write(fd, b"PS1='%% '; source <(ferry completion zsh); print R$((40+2))-${+_comps[ferry]}\n")
out = read_until(b"R42-")
out += read_until(b"% ")
if b"R42-1" not in out:
    fail("the script did not register ferry's completion with compinit", out)

# One Tab completes a command, a value of --conflict, an option. The completed line is then
# printed between markers: Ctrl-A, `print -r -- "$((6*7))/`, Ctrl-E, `/"`, Enter.
for partial, want in (("ferry mi", "ferry migrate "),
                      ("ferry migrate --conflict o", "ferry migrate --conflict overwrite "),
                      ("ferry migrate --confl", "ferry migrate --conflict ")):
    os.write(fd, partial.encode() + b"\t")
    time.sleep(1)
    os.write(fd, b"\x01print -r -- \"$((6*7))/\x05/\"\n")
    out = read_until(b"\n42/", 30)
    out += read_until(b"/\r\n", 30)
    got = out.split(b"\n42/")[-1].split(b"/\r\n")[0].decode("utf-8", "replace")
    read_until(b"% ", 30)
    # (the space zsh adds after a whole word goes again when the cursor moves away: Ctrl-A)
    if got.rstrip() != want.rstrip():
        fail(f"Tab after {partial!r}: {got!r}, expected {want!r}", out)

# Several candidates: zsh lists them.
os.write(fd, b"ferry migrate --conflict \t")
out = read_until(b"skip", 30)  # the last of the sorted list
time.sleep(0.5)
os.write(fd, b"\x15")
for word in (b"skip", b"overwrite", b"merge", b"interactive"):
    if word not in out:
        fail(f"the list after --conflict lacks {word!r}", out)
if b"command not found" in out or b"not found" in out:
    fail("the completion function failed in zsh", out)
os.write(fd, b"exit\n")
os.waitpid(pid, 0)
print("PASS")

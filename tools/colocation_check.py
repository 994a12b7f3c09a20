#!/usr/bin/env python3
"""Reads the test PostgreSQL server's statement log and checks that ferry's writes are co-located.

The test server (tools/test_postgres.sh) logs every statement (log_statement = all) with the
prefix '%c %v %x <%a> ': session, virtual transaction, transaction id, application name. ferry
names its sessions "ferry <command>" (agent/cli.cc) and a run's "ferry run <run id> <token>";
the tests' own sessions are "ferry_tests" (tests/test_main.cc), psql's and createdb's their own.

For ferry's sessions it checks, as a distributed PostgreSQL (Citus) whose tables are distributed
by user_id needs (docs/scale-out.md, "The statement log test"):
  1. no statement names two users (user_id = $n / 'literal', IN (...), = ANY($n), the user_id
     column of an INSERT's VALUES or SELECT list, an unnest() array joined on user_id);
  2. every transaction that writes a data table (INSERT, UPDATE, DELETE, COPY ... FROM, MERGE,
     TRUNCATE on a table outside ferry's own schema `ferry` and the session's staging tables)
     names exactly one user across its statements: a COPY names none itself, its user is the
     one its transaction's other statements name (the checkpoint, the id map, the lock row).
Exempt, each with its reason below: a rollback's transaction (ROLLBACK_MARK), which undoes a
run for all its users at once, and `ferry rekey` (EXEMPT_COMMANDS), which works by table, not by
user. DDL (CREATE, ALTER, DROP) writes no rows and is not checked.

Usage: colocation_check.py LOG [--from BYTES]   (exit 0: co-located; 1: violations; 2: usage)
"""

import argparse
import re
import sys

# Commands whose statements are not checked, and why (docs/scale-out.md says the same).
EXEMPT_COMMANDS = {
    # Re-keys a table in place (legacy keys to ULIDs): UPDATEs by ranges of the table's key
    # and id-map rows for a whole entity. It is a one-off schema change of the whole table; on
    # Citus it runs as multi-shard UPDATEs (or per shard with run_command_on_shards).
    "ferry rekey": "rekey rewrites a whole table's keys by key ranges, not by user",
}

# A rollback's transaction (`ferry rollback`, or a run rolling itself back when
# --max-reject-rate stops it) undoes a whole run in one transaction
# (loaders/postgresql/rollback_writer.h): deletes the rows it inserted, puts back the
# pre-images it replaced and their id-map rows, for every user of the run, so that a rollback is
# all or nothing; split by user, a failure half way would leave some users rolled back and
# others not. On Citus it is a multi-shard transaction with two-phase commit: correct, slower,
# and an operator's repair, not the load path. It is told by what it writes last: its run
# marked rolled back. The rollback command's other transactions are checked.
ROLLBACK_MARK = re.compile(r"\bUPDATE\s+ferry\.runs\s+SET\s+status\s*=", re.I)


def is_rollback_transaction(group):
    for st in group:
        if ROLLBACK_MARK.search(st.text) and (
                "rolled_back" in st.params.values() or "'rolled_back'" in st.text):
            return True
    return False


PREFIX = re.compile(r"^(\S+) (\S*) (\d+) <(.*)> ([A-Z]+\d?):  (.*)$")
NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?'
WRITES = [
    re.compile(r"\bINSERT\s+INTO\s+(" + NAME + ")", re.I),
    re.compile(r"(?<!\bDO )\bUPDATE\s+(?:ONLY\s+)?(" + NAME + r")(?:\s+(?:AS\s+)?\w+)?\s+SET\b", re.I),
    re.compile(r"\bDELETE\s+FROM\s+(?:ONLY\s+)?(" + NAME + ")", re.I),
    re.compile(r"\bCOPY\s+(" + NAME + r")\s*(?:\([^)]*\))?\s*FROM\b", re.I),
    re.compile(r"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(" + NAME + ")", re.I),
    re.compile(r"\bMERGE\s+INTO\s+(" + NAME + ")", re.I),
]
DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE)\b", re.I)
USER_COLUMN = r'(?:\b\w+\s*\.\s*)?(?:"user_id"|\buser_id\b)'
EXPR = r"(\$\d+(?:::[\w\[\]]+)?|'#\d+'(?:::\w+)?|\w+\.\w+(?:::\w+)?)"


class Statement:
    def __init__(self, session, vxid, app, text):
        self.session, self.vxid, self.app, self.text = session, vxid, app, text
        self.params = {}


def parse_log(lines):
    """The statements of the log, in order, with their parameters."""
    statements, last = [], {}
    message = None  # (session, vxid, app, level, text) of the message being read
    def finish(msg):
        if msg is None:
            return
        session, vxid, app, level, text = msg
        m = re.match(r"(?:statement|execute [^:]*): (.*)$", text, re.S)
        if level == "LOG" and m:
            st = Statement(session, vxid, app, m.group(1))
            statements.append(st)
            last[session] = st
        elif level == "DETAIL" and text.startswith("parameters: ") and session in last:
            last[session].params = parse_params(text[len("parameters: "):])
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("\t") and message is not None:
            message = message[:4] + (message[4] + "\n" + line[1:],)
            continue
        finish(message)
        m = PREFIX.match(line)
        message = (m.group(1), m.group(2), m.group(4), m.group(5), m.group(6)) if m else None
    finish(message)
    return statements


def parse_params(text):
    """'$1 = 'a', $2 = NULL' -> {'$1': 'a', '$2': None}."""
    params, i = {}, 0
    while True:
        m = re.compile(r"\s*(\$\d+) = ").match(text, i)
        if not m:
            return params
        i = m.end()
        if text.startswith("NULL", i):
            params[m.group(1)] = None
            i += 4
        elif text.startswith("'", i):
            value, i = read_quoted(text, i)
            params[m.group(1)] = value
        else:
            return params  # not the form the server writes: keep what was read
        if text.startswith(",", i):
            i += 1


def read_quoted(text, i):
    """The '...' literal at text[i] ('' is a quote) and the index after it."""
    out, i = [], i + 1
    while i < len(text):
        if text[i] == "'":
            if text.startswith("''", i):
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    return "".join(out), i


def skeleton(text):
    """The text with each string literal replaced by '#k', and the literals' values."""
    out, literals, i = [], [], 0
    while i < len(text):
        c = text[i]
        escaped = c in "eE" and text.startswith("'", i + 1) and (i == 0 or not text[i - 1].isalnum())
        if c == "'" or escaped:
            if escaped:
                i += 1
            value, j = [], i + 1
            while j < len(text):
                if escaped and text[j] == "\\" and j + 1 < len(text):
                    value.append(text[j + 1])
                    j += 2
                elif text[j] == "'" and text.startswith("''", j):
                    value.append("'")
                    j += 2
                elif text[j] == "'":
                    break
                else:
                    value.append(text[j])
                    j += 1
            literals.append("".join(value))
            out.append("'#%d'" % (len(literals) - 1))
            i = j + 1
        elif c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out), literals


def parse_array(text):
    """PostgreSQL's text form of a one-dimensional array: '{a,"b c",NULL}' -> ['a', 'b c', None]."""
    if not text or text[0] != "{":
        return [text]
    items, i, body = [], 1, text
    while i < len(body) and body[i] != "}":
        if body[i] == '"':
            j, value = i + 1, []
            while body[j] != '"':
                if body[j] == "\\":
                    j += 1
                value.append(body[j])
                j += 1
            items.append("".join(value))
            i = j + 1
        else:
            j = i
            while body[j] not in ",}":
                j += 1
            raw = body[i:j]
            items.append(None if raw == "NULL" else raw)
            i = j
        if i < len(body) and body[i] == ",":
            i += 1
    return items


def split_top(text, sep=","):
    """text split at `sep` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def closing(text, open_at):
    """The index of the parenthesis that closes the one at text[open_at]."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def unquote(name):
    return name.strip().strip('"').lower()


class Resolver:
    """Values of the expressions of one statement: parameters, literals, unnest() columns."""

    def __init__(self, text, params):
        self.text, self.literals = skeleton(text)
        self.params = params
        self.unnest = {}  # "alias.column" -> the unnest() argument that feeds it
        for m in re.finditer(r"\bunnest\s*\(", self.text, re.I):
            end = closing(self.text, m.end() - 1)
            args = split_top(self.text[m.end():end])
            a = re.compile(r"\s*(?:WITH\s+ORDINALITY\s+)?AS\s+(\w+)\s*\(([^)]*)\)", re.I).match(
                self.text, end + 1)
            if a:
                for arg, column in zip(args, split_top(a.group(2))):
                    self.unnest[a.group(1).lower() + "." + unquote(column)] = arg

    def values(self, expr):
        """The values `expr` can take (arrays expanded), or None when it is not a value."""
        expr = re.sub(r"::[\w\[\] ]+$", "", expr.strip())
        if re.fullmatch(r"\$\d+", expr):
            if expr not in self.params:
                return None
            value = self.params[expr]
            array = re.search(re.escape(expr) + r"\s*::\s*\w+\[\]", self.text) is not None
            return parse_array(value) if array and value is not None else [value]
        m = re.fullmatch(r"'#(\d+)'", expr)
        if m:
            return [self.literals[int(m.group(1))]]
        m = re.fullmatch(r"(\w+)\.\"?(\w+)\"?", expr)
        if m and m.group(1).lower() + "." + m.group(2).lower() in self.unnest:
            arg = self.unnest[m.group(1).lower() + "." + m.group(2).lower()]
            v = self.values(arg)
            if v is not None and re.fullmatch(r"\$\d+", re.sub(r"::.*$", "", arg.strip())):
                # unnest() of an array parameter: its elements.
                value = self.params.get(re.sub(r"::.*$", "", arg.strip()))
                return parse_array(value) if value is not None else []
            return v
        return None

    def users(self):
        """The user ids the statement names (a set)."""
        text, found = self.text, set()
        for m in re.finditer(USER_COLUMN + r"\s*=\s*" + EXPR, text):
            found.update(self.values(m.group(1)) or [])
        for m in re.finditer(EXPR + r"\s*=\s*" + USER_COLUMN, text):
            found.update(self.values(m.group(1)) or [])
        for m in re.finditer(USER_COLUMN + r"\s*=\s*ANY\s*\(\s*(\$\d+)", text, re.I):
            value = self.params.get(m.group(1))
            found.update(parse_array(value) if value is not None else [])
        for m in re.finditer(USER_COLUMN + r"\s+IN\s*\(", text, re.I):
            end = closing(text, m.end() - 1)
            for item in split_top(text[m.end():end]):
                found.update(self.values(item) or [])
        # (a, user_id, ...) IN ((...), (...)): the user_id member of each tuple.
        for m in re.finditer(r"\(([^()]*)\)\s+IN\s*\(", text, re.I):
            columns = [unquote(c) for c in split_top(m.group(1))]
            if "user_id" not in columns:
                continue
            at = columns.index("user_id")
            end = closing(text, m.end() - 1)
            for item in split_top(text[m.end():end]):
                members = split_top(item.strip()[1:-1]) if item.startswith("(") else [item]
                if at < len(members):
                    found.update(self.values(members[at]) or [])
        # INSERT INTO t (..., user_id, ...) VALUES (...) / SELECT ...: the user_id position.
        for m in re.finditer(r"\bINSERT\s+INTO\s+" + NAME + r"(?:\s+AS\s+\w+)?\s*\(", text, re.I):
            end = closing(text, m.end() - 1)
            columns = [unquote(c) for c in split_top(text[m.end():end])]
            if "user_id" not in columns:
                continue
            at = columns.index("user_id")
            rest = text[end + 1:].lstrip()
            if re.match(r"VALUES\b", rest, re.I):
                i = end + 1 + (len(text[end + 1:]) - len(rest)) + len("VALUES")
                while True:
                    open_at = text.find("(", i)
                    if open_at < 0 or text[i:open_at].strip() not in ("", ","):
                        break
                    close = closing(text, open_at)
                    members = split_top(text[open_at + 1:close])
                    if at < len(members):
                        found.update(self.values(members[at]) or [])
                    i = close + 1
            elif re.match(r"SELECT\b", rest, re.I):
                body = rest[len("SELECT"):]
                d = re.match(r"\s*DISTINCT\s+ON\s*\(", body, re.I)
                if d:
                    body = body[closing(body, d.end() - 1) + 1:]
                depth, cut = 0, len(body)
                for i, c in enumerate(body):
                    depth += c == "("
                    depth -= c == ")"
                    if depth == 0 and re.match(r"\s+FROM\b", body[i:], re.I):
                        cut = i
                        break
                items = split_top(body[:cut])
                if at < len(items):
                    found.update(self.values(items[at]) or [])
        return found


def table_kind(name):
    """"data", "ferry" (bookkeeping) or "staging" for a written table's name."""
    parts = [unquote(p) for p in re.split(r'\s*\.\s*(?=(?:"|[A-Za-z_]))', name)]
    if len(parts) == 2 and parts[0] == "ferry":
        return "ferry"
    if parts[-1].startswith("ferry_stage_") or (len(parts) == 2 and parts[0].startswith("pg_temp")):
        return "staging"
    if len(parts) == 2 and parts[0] in ("pg_catalog", "information_schema"):
        return "system"
    return "data"


def data_writes(text):
    """The data tables `text` writes (DDL writes no rows)."""
    if DDL.match(text):
        return []
    skel, _ = skeleton(text)
    tables = []
    for pattern in WRITES:
        for m in pattern.finditer(skel):
            if m.group(1).upper() != "SET" and table_kind(m.group(1)) == "data":
                tables.append(m.group(1))
    return tables


def is_ferry(app):
    return app == "ferry" or app.startswith("ferry ")


def check(statements, out=sys.stdout):
    """Prints the violations; returns their number."""
    violations, exempt, transactions, checked = [], {}, {}, 0
    for st in statements:
        if not is_ferry(st.app):
            continue
        command = " ".join(st.app.split()[:2])
        if command in EXEMPT_COMMANDS:
            exempt[command] = exempt.get(command, 0) + 1
            continue
        transactions.setdefault((st.session, st.vxid), []).append(st)
    writing = 0
    for (session, vxid), group in transactions.items():
        if is_rollback_transaction(group):
            exempt["rollback"] = exempt.get("rollback", 0) + len(group)
            continue
        for st in group:
            checked += 1
            # Most statements (catalog reads, the run's records) never mention the column.
            st.users = Resolver(st.text, st.params).users() if "user_id" in st.text else set()
            if len(st.users) > 1:
                violations.append("statement names %d users %s (session %s, %s): %s" % (
                    len(st.users), sorted(st.users, key=str)[:5], st.session, st.app,
                    st.text[:300]))
        tables = [t for st in group for t in data_writes(st.text)]
        if not tables:
            continue
        writing += 1
        users = set().union(*(st.users for st in group))
        # A transaction block the log never sees committed (the process was killed in it, the
        # tests' fault injection) wrote nothing: its user cannot be missing. Two users named in
        # it are still reported: the statements were sent.
        ends = [st.text.strip().upper() for st in group]
        unfinished = ends[0].startswith(("BEGIN", "START TRANSACTION")) and not any(
            e.startswith(("COMMIT", "END")) for e in ends)
        if not users and unfinished:
            continue
        if len(users) != 1:
            what = "writes %d users' rows %s" % (len(users), sorted(users, key=str)[:5]) if users \
                else "writes a data table but names no user"
            violations.append("transaction %s of session %s (%s) %s; tables %s; statements:\n%s" % (
                vxid, session, group[0].app, what, sorted(set(tables)),
                "\n".join("    " + st.text[:200].replace("\n", " ") for st in group[:12])))
    if writing == 0:
        # A suite always loads something: no data written by a session named as ferry's means
        # the names are lost (PGAPPNAME inherited, say), and checking nothing must not pass.
        violations.append("no transaction of ferry's sessions writes a data table: are they "
                          "named 'ferry <command>' / 'ferry run ...' (agent/cli.cc)?")
    for v in violations[:20]:
        print("colocation_check: VIOLATION: " + v, file=out)
    print("colocation_check: %d statements of ferry's sessions checked, %d transactions write "
          "data tables, %d violations; exempt: %s" % (
              checked, writing, len(violations),
              ", ".join("%s (%d statements)" % (c, n) for c, n in sorted(exempt.items())) or
              "none"), file=out)
    return len(violations)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log", help="the server's log (FERRY_TEST_PG_STATEMENT_LOG)")
    parser.add_argument("--from", dest="start", type=int, default=0,
                        help="read from this byte offset (the start of one test phase)")
    args = parser.parse_args()
    try:
        with open(args.log, "rb") as f:
            f.seek(args.start)
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError as e:
        print("colocation_check: %s" % e, file=sys.stderr)
        return 2
    statements = parse_log(lines)
    if not statements:
        print("colocation_check: no statements in %s: is log_statement = all set?" % args.log,
              file=sys.stderr)
        return 1
    return 1 if check(statements) else 0


if __name__ == "__main__":
    sys.exit(main())

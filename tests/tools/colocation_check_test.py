#!/usr/bin/env python3
"""tools/colocation_check.py on synthetic statement logs: the check must be able to fail."""

import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                    "colocation_check.py")
spec = importlib.util.spec_from_file_location("colocation_check", TOOL)
check_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_module)

RUN = "ferry run 01RUN 7TOKEN"
CHECKPOINT = ("execute ferry_checkpoint: INSERT INTO ferry.checkpoints (user_id, target_schema, "
              "entity, unit, position, run_id, token, updated_at)\n\tVALUES ($1, 'public', $2, $3, "
              "$4::bigint, $5, current_setting('ferry.process_token'), now())")


def line(session, vxid, app, text, level="LOG"):
    return "%s %s 0 <%s> %s:  %s" % (session, vxid, app, level, text)


def batch(session, vxid, user, app=RUN, table='"public"."tasks"'):
    """One batch of the direct path: COPY of the rows, the checkpoint naming `user`."""
    return [
        line(session, vxid, app, "statement: BEGIN"),
        line(session, vxid, app, 'statement: COPY %s ("id","user_id") FROM STDIN' % table),
        line(session, vxid, app, CHECKPOINT),
        line(session, vxid, app, "parameters: $1 = '%s', $2 = 'tasks', $3 = 'u', $4 = '10', "
             "$5 = '01RUN'" % user, "DETAIL"),
        line(session, vxid, app, "statement: COMMIT"),
    ]


def violations(lines, load=True):
    """The checker's count and output on `lines`; with `load`, after one good batch of another
    session (a log where ferry wrote nothing fails on its own)."""
    if load:
        lines = batch("s9", "9/9", "loader") + lines
    out = io.StringIO()
    count = check_module.check(check_module.parse_log("\n".join(lines).splitlines()), out)
    return count, out.getvalue()


class ColocationCheckTest(unittest.TestCase):
    def test_one_user_per_transaction_passes(self):
        lines = batch("s1", "3/1", "alice") + batch("s1", "3/2", "bob") + batch("s2", "4/1", "carol")
        count, out = violations(lines)
        self.assertEqual(count, 0, out)
        self.assertIn("4 transactions write data tables", out)

    def test_a_transaction_writing_two_users_rows_is_flagged(self):
        lines = batch("s1", "3/1", "alice")
        # The same transaction also writes a row of bob's.
        lines.insert(4, line("s1", "3/1", RUN, 'execute <unnamed>: INSERT INTO "public"."tasks" '
                             '("id", "user_id", "title") VALUES ($1, $2, $3)'))
        lines.insert(5, line("s1", "3/1", RUN, "parameters: $1 = 'x', $2 = 'bob', $3 = 'it''s'",
                             "DETAIL"))
        count, out = violations(lines)
        self.assertEqual(count, 1, out)
        self.assertIn("writes 2 users' rows ['alice', 'bob']", out)

    def test_sessions_interleave_and_stay_apart(self):
        a, b = batch("s1", "3/1", "alice"), batch("s2", "4/1", "bob")
        lines = [x for pair in zip(a, b) for x in pair]
        self.assertEqual(violations(lines)[0], 0)
        # Same vxid text in another session is another transaction.
        self.assertEqual(violations(batch("s1", "3/1", "alice") + batch("s2", "3/1", "bob"))[0], 0)

    def test_a_statement_naming_two_users_is_flagged(self):
        for text in [
                "statement: DELETE FROM \"public\".\"tasks\" WHERE user_id IN ('alice', E'bob')",
                "statement: SELECT 1 FROM ferry.id_map WHERE user_id = 'alice' OR user_id = 'bob'",
                "statement: DELETE FROM t WHERE (\"user_id\", \"k\") IN (('alice', '1'), ('bob', '2'))",
        ]:
            count, out = violations([line("s1", "3/1", "ferry validate", text)])
            self.assertGreaterEqual(count, 1, text + "\n" + out)
            self.assertIn("statement names 2 users", out)
        # An array parameter and unnest() columns.
        lines = [
            line("s1", "3/1", RUN, "execute <unnamed>: SELECT t.\"id\" FROM unnest($1::text[], "
                 "$2::text[]) WITH ORDINALITY AS keys(k0, k1, ord) JOIN \"public\".\"tasks\" t ON "
                 "t.\"user_id\" = keys.k0::text AND t.\"legacy_id\" = keys.k1::text"),
            line("s1", "3/1", RUN, "parameters: $1 = '{alice,\"bob b\"}', $2 = '{1,2}'", "DETAIL"),
        ]
        count, out = violations(lines)
        self.assertEqual(count, 1, out)
        self.assertIn("'alice', 'bob b'", out)

    def test_one_user_in_an_array_is_one_user(self):
        lines = [
            line("s1", "3/1", RUN, "execute <unnamed>: SELECT 1 FROM ferry.id_map WHERE user_id = "
                 "ANY($1::text[])"),
            line("s1", "3/1", RUN, "parameters: $1 = '{alice,alice}'", "DETAIL"),
        ]
        self.assertEqual(violations(lines)[0], 0)

    def test_an_unkeyed_committed_write_is_flagged_a_killed_one_is_not(self):
        lines = [line("s1", "3/1", RUN, "statement: BEGIN"),
                 line("s1", "3/1", RUN, 'statement: COPY "public"."tasks" ("id") FROM STDIN'),
                 line("s1", "3/1", RUN, "statement: COMMIT")]
        count, out = violations(lines)
        self.assertEqual(count, 1, out)
        self.assertIn("names no user", out)
        self.assertEqual(violations(lines[:2])[0], 0)  # never committed: killed mid-batch

    def test_a_log_without_ferrys_writes_fails(self):
        # Lost session names would leave nothing to check: that must not pass.
        tests_only = [x.replace("<%s>" % RUN, "<ferry_tests>") for x in batch("s1", "3/1", "a")]
        count, out = violations(tests_only, load=False)
        self.assertEqual(count, 1, out)
        self.assertIn("no transaction of ferry's sessions writes a data table", out)

    def test_bookkeeping_staging_and_ddl_are_not_data_writes(self):
        lines = [
            line("s1", "3/1", RUN, "statement: CREATE TEMP TABLE \"ferry_stage_0\" (c0 text)"),
            line("s1", "3/2", RUN, "statement: COPY ferry_stage_0 (c0) FROM STDIN"),
            line("s1", "3/3", RUN, "statement: COPY ferry.id_map (user_id) FROM STDIN"),
            line("s1", "3/4", RUN, "statement: ALTER TABLE \"public\".\"tasks\" ADD COLUMN x text"),
            line("s1", "3/5", RUN, "execute <unnamed>: INSERT INTO ferry.checkpoints (user_id) "
                 "VALUES ($1) ON CONFLICT (user_id) DO UPDATE SET position = 1"),
            line("s1", "3/5", RUN, "parameters: $1 = 'alice'", "DETAIL"),
        ]
        count, out = violations(lines)
        self.assertEqual(count, 0, out)
        self.assertIn("1 transactions write data tables", out)

    def test_other_sessions_and_exempt_commands_are_not_checked(self):
        two = batch("s1", "3/1", "alice")
        two.insert(2, line("s1", "3/1", RUN, "statement: DELETE FROM tasks WHERE user_id = 'bob'"))
        self.assertEqual(violations(two)[0], 1)
        for app in ["ferry_tests", "psql", "[unknown]", "ferry rekey"]:
            lines = [x.replace("<%s>" % RUN, "<%s>" % app) for x in two]
            count, out = violations(lines)
            self.assertEqual(count, 0, app + "\n" + out)
        self.assertIn("exempt: ferry rekey (5 statements)",
                      violations([x.replace("<%s>" % RUN, "<ferry rekey>") for x in two])[1])
        # The rollback command is checked, but not its transaction that marks the run rolled
        # back (in a run's own session too).
        for app in ["ferry rollback", RUN]:
            lines = [x.replace("<%s>" % RUN, "<%s>" % app) for x in two]
            self.assertEqual(violations(lines)[0], 1, app)
            lines.insert(3, line("s1", "3/1", app, "execute <unnamed>: UPDATE ferry.runs SET "
                                 "status = $2 WHERE run_id = $1"))
            lines.insert(4, line("s1", "3/1", app, "parameters: $1 = '01RUN', $2 = 'rolled_back'",
                                 "DETAIL"))
            count, out = violations(lines)
            self.assertEqual(count, 0, out)
            self.assertIn("exempt: rollback (6 statements)", out)

    def test_the_command_line_fails_on_a_violation(self):
        two = batch("s1", "3/1", "alice")
        two.insert(2, line("s1", "3/1", RUN, "statement: DELETE FROM tasks WHERE user_id = 'bob'"))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "postgres.log")
            with open(path, "w") as f:
                f.write("\n".join(batch("s0", "2/1", "zed") + two) + "\n")
            good_bytes = len("\n".join(batch("s0", "2/1", "zed")) + "\n")
            bad = subprocess.run([sys.executable, TOOL, path], capture_output=True, text=True)
            self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
            self.assertIn("VIOLATION", bad.stdout)
            # --from: only the part of the log after the offset (one test phase).
            good = subprocess.run([sys.executable, TOOL, path, "--from", "0"],
                                  capture_output=True, text=True)
            self.assertEqual(good.returncode, 1)
            with open(path, "w") as f:
                f.write("\n".join(two + batch("s0", "2/1", "zed")) + "\n")
            tail = subprocess.run([sys.executable, TOOL, path, "--from",
                                   str(os.path.getsize(path) - good_bytes)],
                                  capture_output=True, text=True)
            self.assertEqual(tail.returncode, 0, tail.stdout + tail.stderr)
            empty = os.path.join(folder, "empty.log")
            open(empty, "w").close()
            self.assertEqual(subprocess.run([sys.executable, TOOL, empty],
                                            capture_output=True).returncode, 1)


if __name__ == "__main__":
    unittest.main()

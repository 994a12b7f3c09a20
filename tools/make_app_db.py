#!/usr/bin/env python3
"""Builds the test database of an app that moves to ULIDs (issue 18), deterministically.

The schema has the shape such apps have: users; clinics; dashboards, journal_entries, tags,
reminders and orders -> users (orders also -> clinics); tasks -> users and tasks.parent_id ->
tasks (a self-reference, some pointing forward so that a load needs two passes). With UUID keys
the first clinic keeps a legacy key, "legacy-clinic-1", that is no UUID. Keys are
integers (--keys int) or UUID strings in varchar(36) (--keys uuid). `tags` has no creation
column. Orphans are planted: a few rows per foreign key name a parent that does not exist
(docs/database-sources.md lists them).

  tools/make_app_db.py --keys int --rows 50000 --out app.db          # SQLite file
  tools/make_app_db.py --keys uuid --rows 50000 --dialect postgresql --schema app | psql  # SQL

--rows is the approximate total row count; the same --seed, --keys and --rows give the same
database, byte for byte in its rows. SQLite foreign keys are not enforced (as in most apps);
PostgreSQL ones are added NOT VALID after the load, so that the orphans stay.
"""
import argparse
import datetime
import random
import sqlite3
import sys

BASE_TIME = datetime.datetime(2022, 1, 1, tzinfo=datetime.timezone.utc)

# name, share of --rows, columns beyond the key: (name, kind, parent table or None)
TABLES = [
    ("users", 0.05, [("email", "text", None), ("name", "text", None)]),
    ("clinics", 0.005, [("name", "text", None)]),
    ("dashboards", 0.05, [("user_id", "fk", "users"), ("title", "text", None)]),
    ("journal_entries", 0.2, [("user_id", "fk", "users"), ("body", "text", None)]),
    ("tags", 0.1, [("user_id", "fk", "users"), ("label", "text", None)]),
    ("reminders", 0.1, [("user_id", "fk", "users"), ("due_at", "time", None)]),
    ("orders", 0.1, [("user_id", "fk", "users"), ("clinic_id", "fk", "clinics"),
                     ("total_cents", "int", None)]),
    ("tasks", 0.395, [("user_id", "fk", "users"), ("parent_id", "fk", "tasks"),
                      ("title", "text", None)]),
]
NO_CREATION_COLUMN = {"tags"}
ORPHANS_PER_FK = 3  # rows per foreign key whose parent does not exist


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def make_key(rng, keys, number):
    if keys == "int":
        return number
    return "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                           rng.getrandbits(12), 0x8000 | rng.getrandbits(14),
                                           rng.getrandbits(48))


def build_rows(keys, total, seed):
    """{table: [row tuple, ...]} with the key first, then the columns, then created_at."""
    rng = random.Random(seed)
    ids = {}
    rows = {}
    for table, share, columns in TABLES:
        count = max(2, int(total * share))
        ids[table] = [make_key(rng, keys, n + 1) for n in range(count)]
        if keys == "uuid" and table == "clinics":
            ids[table][0] = "legacy-clinic-1"  # a key that does not fit the table's kind
        moment = BASE_TIME
        table_rows = []
        for n, key in enumerate(ids[table]):
            moment += datetime.timedelta(milliseconds=rng.randrange(1, 600_000))
            row = [key]
            for name, kind, parent in columns:
                if kind == "fk" and parent == table:
                    # a self-reference: a third of the tasks have a parent, some of them later
                    # in the table (a forward reference), so one pass cannot load them
                    parent_row = rng.randrange(len(ids[table])) if rng.random() < 0.33 else n
                    row.append(None if parent_row == n else ids[table][parent_row])
                elif kind == "fk":
                    row.append(None if name == "clinic_id" and rng.random() < 0.2 else
                               ids[parent][rng.randrange(len(ids[parent]))])
                elif kind == "text":
                    row.append(f"{table[:-1]} {n + 1} {name} {rng.randrange(10**6)}")
                elif kind == "int":
                    row.append(rng.randrange(100, 100_000))
                elif kind == "time":
                    row.append(iso(moment + datetime.timedelta(days=rng.randrange(1, 60))))
            if table not in NO_CREATION_COLUMN:
                row.append(iso(moment))
            table_rows.append(row)
        # planted orphans: the last rows of the table name parents that do not exist
        fk_positions = [i + 1 for i, (_, kind, _) in enumerate(columns) if kind == "fk"]
        slot = len(table_rows) - 1
        for position in fk_positions:
            for _ in range(ORPHANS_PER_FK):
                missing = (10**9 + slot if keys == "int" else
                           "00000000-dead-4000-8000-%012x" % slot)
                table_rows[slot][position] = missing
                slot -= 1
        rows[table] = [tuple(row) for row in table_rows]
    return rows


def key_type(keys, dialect):
    if keys == "uuid":
        return "varchar(36)"
    return "integer" if dialect == "sqlite" else "bigint"


def create_sql(keys, dialect):
    statements = []
    for table, _, columns in TABLES:
        parts = [f"id {key_type(keys, dialect)} PRIMARY KEY"]
        for name, kind, parent in columns:
            if kind == "fk":
                parts.append(f"{name} {key_type(keys, dialect)}" +
                             (f" REFERENCES {parent}(id)" if dialect == "sqlite" else ""))
            elif kind == "int":
                parts.append(f"{name} integer NOT NULL")
            elif kind == "time":
                parts.append(f"{name} {'text' if dialect == 'sqlite' else 'timestamptz'}")
            else:
                parts.append(f"{name} text NOT NULL")
        if table not in NO_CREATION_COLUMN:
            parts.append(f"created_at {'text' if dialect == 'sqlite' else 'timestamptz'} NOT NULL")
        statements.append(f"CREATE TABLE {table} (\n  " + ",\n  ".join(parts) + "\n);")
    return statements


def postgresql_foreign_keys():
    for table, _, columns in TABLES:
        for name, kind, parent in columns:
            if kind == "fk":
                yield (f"ALTER TABLE {table} ADD CONSTRAINT {table}_{name}_fkey FOREIGN KEY "
                       f"({name}) REFERENCES {parent}(id) NOT VALID;")


def copy_value(value):
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def write_postgresql(keys, rows, schema, out):
    out.write("BEGIN;\n")
    if schema:
        out.write(f'CREATE SCHEMA "{schema}";\nSET LOCAL search_path TO "{schema}";\n')
    for statement in create_sql(keys, "postgresql"):
        out.write(statement + "\n")
    for table, _, _ in TABLES:
        out.write(f"COPY {table} FROM stdin;\n")
        for row in rows[table]:
            out.write("\t".join(copy_value(v) for v in row) + "\n")
        out.write("\\.\n")
    for statement in postgresql_foreign_keys():
        out.write(statement + "\n")
    out.write("COMMIT;\n")


def write_sqlite(keys, rows, path):
    db = sqlite3.connect(path)
    with db:
        for statement in create_sql(keys, "sqlite"):
            db.execute(statement)
        for table, _, _ in TABLES:
            width = len(rows[table][0])
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows[table])
    db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", choices=["int", "uuid"], default="int")
    parser.add_argument("--rows", type=int, default=50_000, help="approximate total rows")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--dialect", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--schema", help="PostgreSQL: create the tables in this new schema")
    parser.add_argument("--out", help="SQLite: the file to create (must not exist)")
    args = parser.parse_args()
    rows = build_rows(args.keys, args.rows, args.seed)
    if args.dialect == "postgresql":
        write_postgresql(args.keys, rows, args.schema, sys.stdout)
        return 0
    if not args.out:
        parser.error("--out FILE is needed for --dialect sqlite")
    write_sqlite(args.keys, rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

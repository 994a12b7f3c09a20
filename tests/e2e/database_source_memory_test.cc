// End-to-end: what a database table as a source costs in memory (issue 18, item 2). A table is
// one unit: its rows stream and spill (issue 15), so its peak does not follow its rows, also
// when another table references it (its legacy ids and ULIDs spill: agent/run/parent_ulids.h);
// measured 140 MiB (leaf) and 292 MiB (referenced) at 1M rows on 2026-12-07 before those
// spilled. And a batch's pending rows each hold a parser whose stack starts shallow
// (EntityPass::NextParser): at simdjson's default depth each cost 9 KiB more, ~90 MiB of a
// PostgreSQL batch of 5000 rows per worker.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"
#include "tests/under_sanitizer.h"

namespace ferry::e2e::database_source_memory_test {
namespace {

// Peak RSS in KiB of `command` (a shell line), or 0 when /usr/bin/time is missing.
long PeakKilobytes(const std::string& command) {
  CommandResult run = RunShell("/usr/bin/time -f '%M' " + command + " 2>&1 >/dev/null | tail -1");
  INFO(command << ": " << run.out);
  return std::atol(run.out.c_str());
}

// An SQLite file: users (id integer key, name, created_at) of `rows` rows and, with
// `referenced`, notes (one row) whose user_id references users.
std::string MakeDatabase(const TempDir& work, const std::string& name, int rows, bool referenced) {
  std::string path = work / name;
  std::string sql = fmt::format(
      "CREATE TABLE users (id integer PRIMARY KEY, name text, created_at text NOT NULL); "
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) INSERT INTO "
      "users SELECT i, 'user number ' || i, '2024-01-01T00:00:00.000Z' FROM n;{}",
      rows,
      referenced ? " CREATE TABLE notes (id integer PRIMARY KEY, user_id integer REFERENCES "
                   "users (id), created_at text NOT NULL); INSERT INTO notes VALUES (1, 1, "
                   "'2024-01-01T00:00:00.000Z');"
                 : "");
  CommandResult made = RunShell(fmt::format("sqlite3 '{}' \"{}\" 2>&1", path, sql));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  return path;
}

// migrate of `database` into a fresh SQLite file, the per-unit budgets at 1 MiB (as the other
// memory tests: a test-sized table passes them); under ASan with a small quarantine.
std::string Migrate(const TempDir& work, const std::string& database, const std::string& db,
                    const std::string& extra) {
  std::string quarantine = testing::kUnderAddressSanitizer
                               ? "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:quarantine_size_mb=8\" "
                               : "";
  return "env " + quarantine + "FERRY_TEST_ID_CHECK_BUDGET=1048576 '" + std::string(FERRY_BINARY) +
         "' migrate 'sqlite:" + database + "' --user-id app --target 'sqlite:" + (work / db) +
         "' --progress none --no-backup " + extra;
}

}  // namespace

TEST_CASE("migrate of a database table: peak memory does not follow its rows (4x)",
          "[e2e][sqlite][database][slow]") {
  // Past the unit's 16 MiB of held entries (agent/run/unit_entries.h, ~40,000 such rows), which
  // a smaller table fills first: 25,000 rows peak 26 MiB below 100,000, 100,000 rows about as
  // 400,000.
  const int rows = 100000;
  for (bool referenced : {false, true}) {
    DYNAMIC_SECTION((referenced ? "referenced" : "leaf")) {
      TempDir work;
      std::string small = MakeDatabase(work, "small.db", rows, referenced);
      std::string large = MakeDatabase(work, "large.db", 4 * rows, referenced);
      // The run loads every row (and the note its user), or the figures mean nothing.
      CommandResult checked = RunShell(Migrate(work, small, "check.db", "") + " 2>&1; echo rc=$?");
      INFO(checked.out);
      REQUIRE_THAT(checked.out, Catch::Contains("rc=0"));
      long small_kilobytes = PeakKilobytes(Migrate(work, small, "s.db", ""));
      long large_kilobytes = PeakKilobytes(Migrate(work, large, "l.db", ""));
      if (small_kilobytes == 0 || large_kilobytes == 0) {
        WARN("/usr/bin/time not available; skipped");
        return;
      }
      INFO(rows << " rows: " << small_kilobytes << " KiB, four times: " << large_kilobytes
                << " KiB");
      // Measured: +2-4 MiB for 750,000 more rows at 1M (docs/database-sources.md).
      CHECK(large_kilobytes - small_kilobytes < 16 * 1024);
    }
  }
}

TEST_CASE("migrate of a database table: a pending row of a batch costs its row, not 9 KiB more",
          "[e2e][sqlite][database]") {
  // Under ASan every allocation carries redzones and the figures say nothing of ferry's own.
  if (testing::kUnderAddressSanitizer) return;
  TempDir work;
  std::string database = MakeDatabase(work, "users.db", 20000, /*referenced=*/false);
  long small_kilobytes = PeakKilobytes(Migrate(work, database, "s.db", "--batch-size 1000"));
  long large_kilobytes = PeakKilobytes(Migrate(work, database, "l.db", "--batch-size 5000"));
  if (small_kilobytes == 0 || large_kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  // 4000 more rows pending at once: 9.6 KiB each with a default-depth parser apiece (37 MiB
  // more), 4.8 KiB with the shallow ones (19 MiB).
  double per_row = double(large_kilobytes - small_kilobytes) / 4000;
  INFO("batches of 1000: " << small_kilobytes << " KiB, of 5000: " << large_kilobytes
                           << " KiB: " << per_row << " KiB a pending row");
  CHECK(per_row < 7.0);
}

}  // namespace ferry::e2e::database_source_memory_test

// What the e2e tests of `ferry rekey` share (issue 18): the app database of
// tools/make_app_db.py loaded into a fresh target with the plan proposed for it, and a
// snapshot of the application's catalog and rows to compare before and after.
//
// Header only (only *_test.cc files are built into the test binary).
#pragma once

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/under_sanitizer.h"

namespace ferry::e2e {

inline constexpr const char* kAppDbTables[] = {
    "users", "clinics", "dashboards", "journal_entries", "tags", "reminders", "orders", "tasks"};

// The app database's rows: under ASan half, with half the batch size (AppDbBatchSize), so that
// a fault at the Nth batch still falls at the same place of the same table; more rows only
// repeat each batch's path, at -O0 with every access checked.
inline constexpr int kAppDbRows = testing::PlainOrSanitized(3000, 1500);

// --batch-size for the app database: `plain` at 3,000 rows, scaled to kAppDbRows.
inline std::string AppDbBatchSize(int plain) { return std::to_string(plain * kAppDbRows / 3000); }

inline std::string Generator(const std::string& keys) {
  return fmt::format("python3 '{}/tools/make_app_db.py' --keys {} --rows {}", SourceDir().string(),
                     keys, kAppDbRows);
}

// Fills the empty target with the app database; returns the plan proposed from its twin in
// SQLite (inspect reads SQLite catalogs only).
inline std::string LoadAppDatabase(TargetFixture& target, const std::string& keys,
                                   const TempDir& dir) {
  std::string twin = dir / "twin.db";
  REQUIRE(RunShell(Generator(keys) + " --out '" + twin + "'").exit_code == 0);
  std::string plan = dir / "plan.yaml";
  CommandResult proposed = RunFerry({"inspect", "sqlite:" + twin, "--propose-mapping", plan});
  INFO(proposed.out << proposed.err);
  REQUIRE(proposed.exit_code == 0);
  CommandResult loaded;
  if (target.kind() == "sqlite") {
    std::string path = target.url().substr(std::string("sqlite:").size());
    loaded = RunShell(Generator(keys) + " --out '" + path + "' 2>&1");
  } else {
    loaded = RunShell(Generator(keys) + " --dialect postgresql" +
                      fmt::format(" | psql -q -v ON_ERROR_STOP=1 '{}' 2>&1", target.url()));
  }
  INFO(loaded.out);
  REQUIRE(loaded.exit_code == 0);
  return plan;
}

// The application's catalog (tables, columns, constraints, indexes) and every row of every
// table, ferry's bookkeeping left out.
inline std::vector<std::vector<std::string>> Snapshot(TargetFixture& target) {
  std::vector<std::vector<std::string>> all;
  auto add = [&](const std::string& sql) {
    for (auto& row : target.Query(sql)) all.push_back(std::move(row));
  };
  if (target.kind() == "sqlite") {
    add("SELECT name, type, sql FROM sqlite_master WHERE name NOT LIKE 'ferry%' AND name NOT "
        "LIKE 'sqlite_autoindex_ferry%' ORDER BY name");
  } else {
    add("SELECT table_name, column_name, data_type, is_nullable, column_default FROM "
        "information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, "
        "ordinal_position");
    add("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = "
        "'public'::regnamespace ORDER BY conname");
    add("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
  }
  for (const char* table : kAppDbTables) add(fmt::format("SELECT * FROM {} ORDER BY id", table));
  return all;
}

}  // namespace ferry::e2e

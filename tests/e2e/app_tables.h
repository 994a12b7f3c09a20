// Application databases for the adoption tests (issue 16): the `tasks` table of the bundled
// mapping as an application might already have it, in each shape the issue tried, on either
// target. Header-only: only *_test.cc files are built into the test binary.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/e2e/target_fixture.h"

namespace ferry::e2e {

enum class AppShape {
  kCompatible,  // the mapping's columns and types, PRIMARY KEY (id), UNIQUE (user_id, legacy_id)
  kLegacyIdInteger,     // legacy_id INTEGER (SQLite) / bigint (PostgreSQL)
  kCreatedAtOtherType,  // created_at INTEGER (SQLite) / timestamp without time zone (PostgreSQL)
  kNoUniqueKey,         // without UNIQUE (user_id, legacy_id)
  kExtraNotNull,        // an extra column NOT NULL without a default
  kIdOtherType,         // id INTEGER PRIMARY KEY (SQLite) / id uuid (PostgreSQL)
};

// The shape's name, for INFO and section names.
inline const char* AppShapeName(AppShape shape) {
  switch (shape) {
    case AppShape::kCompatible:
      return "compatible";
    case AppShape::kLegacyIdInteger:
      return "legacy_id integer";
    case AppShape::kCreatedAtOtherType:
      return "created_at not timestamptz";
    case AppShape::kNoUniqueKey:
      return "no unique (user_id, legacy_id)";
    case AppShape::kExtraNotNull:
      return "extra NOT NULL column";
    case AppShape::kIdOtherType:
      return "id integer or uuid";
  }
  return "?";
}

// The column whose name a refusal of `shape` must give.
inline const char* AppShapeColumn(AppShape shape) {
  switch (shape) {
    case AppShape::kLegacyIdInteger:
      return "legacy_id";
    case AppShape::kCreatedAtOtherType:
      return "created_at";
    case AppShape::kNoUniqueKey:
      return "\"user_id\", \"legacy_id\"";
    case AppShape::kExtraNotNull:
      return "owner";
    case AppShape::kIdOtherType:
      return "\"id\"";
    case AppShape::kCompatible:
      return "";
  }
  return "";
}

// The CREATE TABLE of `tasks` in `shape` for a target of `kind`.
inline std::string AppTasksSql(AppShape shape, const std::string& kind) {
  bool pg = kind == "postgresql";
  std::string text = pg ? "text" : "TEXT";
  std::string timestamp = pg ? "timestamptz" : "TEXT";
  std::string id = text + " PRIMARY KEY";
  std::string legacy_id = text;
  std::string created_at = timestamp;
  std::string extra;
  std::string unique = ", UNIQUE (user_id, legacy_id)";
  switch (shape) {
    case AppShape::kCompatible:
      break;
    case AppShape::kLegacyIdInteger:
      legacy_id = pg ? "bigint" : "INTEGER";
      break;
    case AppShape::kCreatedAtOtherType:
      created_at = pg ? "timestamp without time zone" : "INTEGER";
      break;
    case AppShape::kNoUniqueKey:
      unique = "";
      break;
    case AppShape::kExtraNotNull:
      extra = ", owner " + text + " NOT NULL";
      break;
    case AppShape::kIdOtherType:
      id = pg ? "uuid PRIMARY KEY" : "INTEGER PRIMARY KEY";
      break;
  }
  return "CREATE TABLE tasks (id " + id + ", user_id " + text + " NOT NULL, legacy_id " +
         legacy_id + " NOT NULL, title " + text + " NOT NULL, description " + text + ", status " +
         text + ", tags " + (pg ? "jsonb" : "TEXT") + ", environment_id " + text + ", created_at " +
         created_at + ", updated_at " + timestamp + extra + unique + ")";
}

// Runs `sql` on the target, creating the SQLite file when it is not there yet (the
// application's database exists before ferry runs).
inline void AppExec(TargetFixture& target, const std::string& sql) {
  if (target.kind() != "sqlite") {
    target.Query(sql);
    return;
  }
  std::string path = target.url().substr(std::string("sqlite:").size());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) ==
          SQLITE_OK);
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(db));
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// The application's database: its `tasks` table in `shape`, and nothing of ferry's.
inline void MakeAppDatabase(TargetFixture& target, AppShape shape) {
  AppExec(target, AppTasksSql(shape, target.kind()));
}

// The number of ferry's bookkeeping tables (or, on PostgreSQL, of its schema) in the target.
inline int64_t FerryBookkeepingCount(TargetFixture& target) {
  return target.Count(target.kind() == "sqlite"
                          ? "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ferry%'"
                          : "SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'");
}

// The number of tables of the target's application schema (main / public).
inline int64_t AppTableCount(TargetFixture& target) {
  return target.Count(target.kind() == "sqlite"
                          ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
                            "NOT LIKE 'ferry%'"
                          : "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
}

}  // namespace ferry::e2e

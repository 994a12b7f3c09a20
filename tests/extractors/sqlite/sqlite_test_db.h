// Helpers for the sqlite source tests: an SQLite file made from SQL text with the C API.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::testing {

// Creates the database `name` in `dir` by running `sql`; returns its path.
inline std::string MakeSqliteDb(const TempDir& dir, const std::string& name,
                                const std::string& sql) {
  std::string path = dir.path() + "/" + name;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  INFO(message);
  REQUIRE(code == SQLITE_OK);
  return path;
}

// A small app schema: users, tasks -> users, tasks.parent_id -> tasks, tags without a
// creation column, a view.
inline constexpr const char* kSmallAppSql = R"sql(
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users,
  parent_id INTEGER REFERENCES tasks(id), title TEXT, "createdAt" TEXT);
CREATE TABLE tags (user_id INTEGER NOT NULL REFERENCES users(id), label TEXT NOT NULL,
  PRIMARY KEY (label, user_id)) WITHOUT ROWID;
CREATE VIEW user_tasks AS SELECT * FROM tasks JOIN users ON users.id = tasks.user_id;
INSERT INTO users VALUES (2, 'b@x', '2024-01-02T00:00:00Z'), (1, 'a@x', '2024-01-01T00:00:00Z');
INSERT INTO tasks VALUES (1, 1, 2, 'first', '2024-02-01T00:00:00Z'),
  (2, 1, NULL, 'second', '2024-02-02T00:00:00Z'), (3, 9, NULL, 'orphan', NULL);
INSERT INTO tags VALUES (1, 'home'), (2, 'work');
)sql";

}  // namespace ferry::testing

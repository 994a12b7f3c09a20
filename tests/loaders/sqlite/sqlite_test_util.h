// Helpers for the SQLite loader tests: a temporary folder, a sample table and batches, and
// direct sqlite3 access to check what the loader left in a file. Header-only: only *_test.cc
// files are built into the test binary.
#pragma once

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/row.h"
#include "loaders/loader.h"
#include "loaders/sqlite/sqlite_loader.h"

namespace ferry::sqlite_testing {

// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // The names of the files in the folder.
  std::set<std::string> Listing() const;

 private:
  std::filesystem::path path_;
};

// "tasks": id ulid (key), user_id text, title text NOT NULL, done boolean, priority integer,
// score real, created_at timestamp, meta json.
// The sample row n of TasksTable has title "<title_prefix> n".
// TaskBatch: rows first..first+count-1 of user "u1", entity "tasks", legacy ids "L<n>" and
// content hashes "<hash_prefix><n>", checkpoint (dump.json, tasks, last n).
// ReadyLoader: a loader for `path` after Check(dry_run), BeginRun("RUN1") and
// EnsureSchema(tables), each REQUIREd to succeed.
// Query: runs `sql` on `path` with a connection of its own; each row's values as text ("NULL").
// FileBytes: the file's bytes ("" when it does not exist).

inline TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ferry-sqlite-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

inline TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

inline std::set<std::string> TempDir::Listing() const {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path_)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

inline TableDef TasksTable() {
  TableDef table;
  table.name = "tasks";
  table.columns = {{"id", ColumnType::kUlid, false},
                   {"user_id", ColumnType::kText, false},
                   {"title", ColumnType::kText, false},
                   {"done", ColumnType::kBoolean, true},
                   {"priority", ColumnType::kInteger, true},
                   {"score", ColumnType::kReal, true},
                   {"created_at", ColumnType::kTimestamp, true},
                   {"meta", ColumnType::kJson, true}};
  table.primary_key = {"id"};
  return table;
}

inline Row TaskRow(int n, const std::string& title_prefix = "task") {
  char id[32];
  std::snprintf(id, sizeof(id), "01ARZ3NDEKTSV4RRFFQ69G%04d", n);
  Row row;
  row.cells = {std::string(id),
               std::string("u1"),
               title_prefix + " " + std::to_string(n),
               n % 2 == 0,
               int64_t{n},
               n + 0.5,
               int64_t{1677234105454} + n,  // 2023-02-24T10:21:45.454Z + n ms
               std::string("{\"n\":" + std::to_string(n) + "}")};
  return row;
}

inline WriteBatch TaskBatch(const TableDef* table, int first, int count, ConflictPolicy policy,
                            const std::string& title_prefix = "task",
                            const std::string& hash_prefix = "h") {
  WriteBatch batch;
  batch.table = table;
  batch.entity = "tasks";
  batch.user_id = "u1";
  batch.policy = policy;
  for (int n = first; n < first + count; ++n) {
    Row row = TaskRow(n, title_prefix);
    std::string ulid = std::get<std::string>(row.cells[0]);
    batch.rows.push_back(std::move(row));
    batch.identities.push_back({"L" + std::to_string(n), ulid, hash_prefix + std::to_string(n)});
  }
  batch.checkpoint = {"dump.json", "tasks", first + count - 1};
  return batch;
}

inline TargetSpec SqliteSpec(const std::string& path) { return {"sqlite", "sqlite:" + path, path}; }

inline std::unique_ptr<Loader> ReadyLoader(const std::string& path, bool dry_run,
                                           const std::vector<const TableDef*>& tables) {
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  Status status = loader->Check(dry_run);
  INFO(status.ToString());
  REQUIRE(status.ok());
  RunInfo run{"RUN1", "ferry migrate dump.json", dry_run, ""};
  status = loader->BeginRun(run);
  INFO(status.ToString());
  REQUIRE(status.ok());
  status = loader->EnsureSchema(tables);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return loader;
}

// A read-write connection of the test's own.
struct Connection {
  explicit Connection(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) == SQLITE_OK);
  }
  ~Connection() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

inline std::vector<std::vector<std::string>> Query(const std::string& path,
                                                   const std::string& sql) {
  Connection connection(path);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(connection.db, sql.c_str(), -1, &stmt, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(connection.db));
  REQUIRE(rc == SQLITE_OK);
  std::vector<std::vector<std::string>> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row.push_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  REQUIRE(rc == SQLITE_DONE);
  return rows;
}

inline int64_t QueryInt(const std::string& path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows = Query(path, sql);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 1);
  return std::stoll(rows[0][0]);
}

inline void ExecSql(const std::string& path, const std::string& sql) {
  Connection connection(path);
  int rc = sqlite3_exec(connection.db, sql.c_str(), nullptr, nullptr, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(connection.db));
  REQUIRE(rc == SQLITE_OK);
}

inline std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A database with one committed row in table `a`, in a rollback-journal mode (an application's
// file), and a hot journal beside it: a child process wrote 300 more rows in a transaction,
// with a page cache so small that SQLite had to write into the file, then died by SIGKILL.
inline void MakeHotJournal(const std::string& path) {
  {
    Connection setup(path);
    REQUIRE(sqlite3_exec(setup.db, "CREATE TABLE a(x); INSERT INTO a VALUES (1);", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  }
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA cache_size=1; BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int i = 0; i < 300; ++i) {
      sqlite3_exec(db, "INSERT INTO a VALUES (randomblob(1000))", nullptr, nullptr, nullptr);
    }
    ::raise(SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  // Hot: the journal's header was written (its first byte is the magic, not zero).
  std::string journal = FileBytes(path + "-journal");
  REQUIRE(journal.size() > 28);
  REQUIRE(journal[0] != '\0');
}

// A child process holding the write lock of the database `path` (BEGIN IMMEDIATE) until this
// object is destroyed, when it is killed.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      sqlite3* db = nullptr;
      sqlite3_open(path.c_str(), &db);
      char ok = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
      (void)!::write(ready[1], &ok, 1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char ok = 0;
    REQUIRE(::read(ready[0], &ok, 1) == 1);
    ::close(ready[0]);
    REQUIRE(ok == 1);
  }
  ~WriteLockHolder() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  WriteLockHolder(const WriteLockHolder&) = delete;
  WriteLockHolder& operator=(const WriteLockHolder&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace ferry::sqlite_testing

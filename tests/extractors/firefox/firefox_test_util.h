// Helpers for the firefox extractor tests: the real Firefox fixtures, copies of them, and
// hand-made stores (data.sqlite, webappsstore.sqlite) written with SQLite's C API.
#pragma once

#include <snappy.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "extractors/firefox/firefox_extractor.h"
#include "tests/extractors/chromium/chromium_test_util.h"
#include "tests/test_paths.h"

namespace ferry::testing {

// The folder holding firefox/<scenario>/ and expected/<scenario>.json, when present:
// $FERRY_SHARED_DIR/fixtures/browser, tests/fixtures/browser or ../shared/fixtures/browser.
inline std::optional<std::string> FirefoxFixtureRoot() {
  std::vector<std::string> dirs;
  if (const char* shared = std::getenv("FERRY_SHARED_DIR")) {
    dirs.push_back(std::string(shared) + "/fixtures/browser");
  }
  dirs.push_back(std::string(FERRY_SOURCE_DIR) + "/tests/fixtures/browser");
  dirs.push_back(std::string(FERRY_SOURCE_DIR) + "/../shared/fixtures/browser");
  for (const std::string& dir : dirs) {
    if (fs::exists(dir + "/firefox") && fs::exists(dir + "/expected")) {
      return dir;
    }
  }
  return std::nullopt;
}

// Every firefox scenario of the fixtures, in name order (new ones are picked up).
inline std::vector<std::string> FirefoxScenarios(const std::string& root) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root + "/firefox")) {
    if (entry.is_directory()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A writable copy of the firefox scenario `scenario` in `dir`; returns its profile folder.
inline std::string CopyFirefoxScenario(const std::string& root, const std::string& scenario,
                                       const std::string& dir) {
  std::string to = dir + "/" + scenario;
  fs::copy(root + "/firefox/" + scenario, to, fs::copy_options::recursive);
  SetWritable(to, true);
  return to;
}

inline std::string DataFileOf(const std::string& profile, const std::string& folder) {
  return profile + "/storage/default/" + folder + "/ls/data.sqlite";
}

inline Drained DrainFirefox(const std::string& path, std::vector<std::string> origins = {}) {
  return Drain(MakeFirefoxExtractor(SourceSpec{"firefox", path, std::move(origins)}));
}

// --- Hand-made stores ------------------------------------------------------------------------

// An open SQLite database for writing test stores; closed on destruction.
class TestDb {
 public:
  explicit TestDb(const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
  }
  ~TestDb() { sqlite3_close(db_); }
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    INFO(sql << ": " << (error != nullptr ? error : ""));
    sqlite3_free(error);
    REQUIRE(code == SQLITE_OK);
  }

  // INSERTs one row of `sql` with ?1.. bound to `texts` (as TEXT) and `blob` last (as BLOB).
  void Insert(const std::string& sql, const std::vector<std::string>& texts,
              std::optional<std::string> blob = std::nullopt) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    int index = 1;
    for (const std::string& text : texts) {
      sqlite3_bind_text(statement, index++, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT);
    }
    if (blob) {
      sqlite3_bind_blob(statement, index, blob->data(), static_cast<int>(blob->size()),
                        SQLITE_TRANSIENT);
    }
    REQUIRE(sqlite3_step(statement) == SQLITE_DONE);
    sqlite3_finalize(statement);
  }

  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// The LSNG schema, as Firefox 153 writes it (FORMAT.md).
inline void CreateLsSchema(TestDb& db, const std::string& origin) {
  db.Exec(
      "CREATE TABLE database( origin TEXT NOT NULL, usage INTEGER NOT NULL DEFAULT 0, "
      "last_vacuum_time INTEGER NOT NULL DEFAULT 0, last_analyze_time INTEGER NOT NULL DEFAULT 0, "
      "last_vacuum_size INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE data( key TEXT PRIMARY KEY, utf16_length INTEGER NOT NULL, conversion_type "
      "INTEGER NOT NULL, compression_type INTEGER NOT NULL, last_access_time INTEGER NOT NULL "
      "DEFAULT 0, value BLOB NOT NULL);");
  db.Insert("INSERT INTO database(origin) VALUES (?1)", {origin});
}

struct LsRow {
  std::string key;
  std::string value;  // the bytes to store
  int64_t utf16_length;
  int conversion = 1;
  int compression = 0;
};

inline void InsertLsRow(TestDb& db, const LsRow& row) {
  db.Insert(
      "INSERT INTO data(key, utf16_length, conversion_type, compression_type, value) "
      "VALUES (?1, " +
          std::to_string(row.utf16_length) + ", " + std::to_string(row.conversion) + ", " +
          std::to_string(row.compression) + ", ?2)",
      {row.key}, row.value);
}

// Writes <profile>/storage/default/<folder>/ls/data.sqlite holding `rows`; returns its path.
inline std::string MakeLsStore(const std::string& profile, const std::string& folder,
                               const std::string& origin, const std::vector<LsRow>& rows) {
  std::string path = DataFileOf(profile, folder);
  TestDb db(path);
  CreateLsSchema(db, origin);
  for (const LsRow& row : rows) {
    InsertLsRow(db, row);
  }
  return path;
}

// Writes a webappsstore2 table (webappsstore.sqlite or ls-archive.sqlite) with `rows` of
// {originAttributes, originKey, key, value}.
inline void MakeLegacyStore(const std::string& path,
                            const std::vector<std::vector<std::string>>& rows) {
  TestDb db(path);
  db.Exec(
      "CREATE TABLE webappsstore2 (originAttributes TEXT, originKey TEXT, scope TEXT, key TEXT, "
      "value TEXT); CREATE UNIQUE INDEX origin_key_index ON webappsstore2(originAttributes, "
      "originKey, key);");
  for (const auto& row : rows) {
    db.Insert(
        "INSERT INTO webappsstore2(originAttributes, originKey, key, value) VALUES "
        "(?1, ?2, ?3, ?4)",
        row);
  }
}

inline std::string Snappy(const std::string& bytes) {
  std::string compressed;
  snappy::Compress(bytes.data(), bytes.size(), &compressed);
  return compressed;
}

inline std::string Utf16Le(const std::u16string& units) {
  std::string bytes;
  for (char16_t unit : units) {
    bytes += static_cast<char>(unit & 0xFF);
    bytes += static_cast<char>(unit >> 8);
  }
  return bytes;
}

}  // namespace ferry::testing

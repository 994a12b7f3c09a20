#include "tests/e2e/e2e_util.h"

#include <sodium.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tests/test_paths.h"
#include "transformers/json_writer.h"

namespace ferry::e2e {

namespace {

std::string Quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

CommandResult RunShell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CommandResult RunFerry(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env) {
  TempDir scratch;
  // PGAPPNAME names the tests' own sessions (tests/test_main.cc), not ferry's.
  std::string command = "env -u PGAPPNAME ";
  for (const auto& [name, value] : env) command += name + "=" + Quote(value) + " ";
  command += Quote(FERRY_BINARY);
  for (const std::string& arg : args) command += " " + Quote(arg);
  command += " 2>" + Quote(scratch / "stderr") + " </dev/null";
  CommandResult result = RunShell(command);
  result.err = ReadFile(scratch / "stderr");
  UNSCOPED_INFO("ferry exit " << result.exit_code << "\nstdout:\n"
                              << result.out << "\nstderr:\n"
                              << result.err);
  return result;
}

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("ferry-test-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ignored);
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path SourceDir() { return FERRY_SOURCE_DIR; }

std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("FERRY_SHARED_DIR")) return env;
  return SourceDir().parent_path() / "shared";
}

void GenerateTaskappDumps(const std::string& out, int users, int tasks, int seed) {
  std::string command = "python3 " + Quote((SharedDir() / "peers/gen/gen_taskapp.py").string()) +
                        " --users " + std::to_string(users) + " --tasks " + std::to_string(tasks) +
                        " --seed " + std::to_string(seed) + " --out " + Quote(out) +
                        " >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
}

std::vector<std::vector<std::string>> Query(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  // Read-write (never creating): after a kill -9 the file may hold a hot journal, which only a
  // writable connection rolls back, as ferry's next run does; a read-only one fails with
  // "attempt to write a readonly database" (the random-kill test met it under load).
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(handle));
  REQUIRE(rc == SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return rows;
}

void WriteDump(const std::string& path, const std::map<std::string, std::string>& keys) {
  std::string out = "{";
  for (const auto& [key, value] : keys) {
    if (out.size() > 1) out += ",";
    AppendJsonString(key, &out);
    out += ":";
    AppendJsonString(value, &out);
  }
  std::ofstream(path) << out << "}";
}

std::string FileSha256(const std::string& path) {
  if (!std::filesystem::exists(path)) return "";
  std::string bytes = ReadFile(path);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace ferry::e2e

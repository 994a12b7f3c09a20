// Helpers for end-to-end tests: run the real ferry binary, make temp folders, read SQLite.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ferry::e2e {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `ferry ARGS...` (each argument shell-quoted) with the extra environment `env`.
CommandResult RunFerry(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env = {});

// Runs a shell command; returns its exit code and stdout.
CommandResult RunShell(const std::string& command);

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The repository root, and the shared/ folder beside it (fixtures, peers).
std::filesystem::path SourceDir();
std::filesystem::path SharedDir();

// Generates task-app dumps with the peers' generator into `out` (python3 needed).
void GenerateTaskappDumps(const std::string& out, int users, int tasks, int seed);

// Rows of a query on a SQLite file, every column as text ("NULL" for null).
std::vector<std::vector<std::string>> Query(const std::string& db, const std::string& sql);

// Writes a JSON dump: {"key": "<the value, JSON text, as a string>"}, as localStorage holds it.
void WriteDump(const std::string& path, const std::map<std::string, std::string>& keys);

// Reads a whole file.
std::string ReadFile(const std::string& path);

// SHA-256 hex of a file's bytes (libsodium), "" when it does not exist.
std::string FileSha256(const std::string& path);

}  // namespace ferry::e2e

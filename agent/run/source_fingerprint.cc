#include "agent/run/source_fingerprint.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "base/fnv1a.h"

namespace ferry {

namespace {

namespace fs = std::filesystem;

// Feeds fields to the hash with a separator, so that ("ab","c") and ("a","bc") differ.
class FieldHash {
 public:
  void Add(std::string_view text) {
    hash_.Add(text);
    hash_.Add(std::string_view("\0", 1));
  }
  void Add(uint64_t value) { Add(std::to_string(value)); }
  std::string Hex() const { return hash_.Hex(); }

 private:
  Fnv1a64 hash_;
};

Status AddFile(const fs::path& file, const fs::path& base, FieldHash* hash) {
  std::error_code error;
  uint64_t size = fs::file_size(file, error);
  if (error) {
    return Status::IOError(
        fmt::format("{}: cannot read its size: {}", file.string(), error.message()));
  }
  auto mtime = fs::last_write_time(file, error);
  if (error) {
    return Status::IOError(
        fmt::format("{}: cannot read its modification time: {}", file.string(), error.message()));
  }
  hash->Add(file.lexically_relative(base).generic_string());
  hash->Add(size);
  hash->Add(static_cast<uint64_t>(mtime.time_since_epoch().count()));
  return Status::OK();
}

// LevelDB's lock and its info log change whenever a browser merely opens the store.
bool IsHousekeeping(const fs::path& file) {
  std::string name = file.filename().string();
  return name == "LOCK" || name == "LOG" || name == "LOG.old";
}

Status AddPath(const std::string& path, FieldHash* hash) {
  hash->Add(path);
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    // A URL or a path that vanished: its text alone; the extractor reports a missing file.
    return Status::OK();
  }
  if (!fs::is_directory(status)) {
    return AddFile(path, fs::path(path).parent_path(), hash);
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error) && !IsHousekeeping(it->path())) files.push_back(it->path());
  }
  if (error) {
    return Status::IOError(fmt::format("{}: cannot list it: {}", path, error.message()));
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    FERRY_RETURN_IF_ERROR(AddFile(file, path, hash));
  }
  return Status::OK();
}

}  // namespace

Result<std::string> SourceFingerprint(const std::vector<std::string>& paths) {
  FieldHash hash;
  for (const std::string& path : paths) {
    FERRY_RETURN_IF_ERROR(AddPath(path, &hash));
  }
  return hash.Hex();
}

}  // namespace ferry

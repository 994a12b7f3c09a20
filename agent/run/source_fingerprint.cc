#include "agent/run/source_fingerprint.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "base/fnv1a.h"
#include "loaders/redact_url.h"

namespace ferry {

namespace {

namespace fs = std::filesystem;

// A source given as one file (a JSON dump, a Firefox database) is hashed whole up to this
// size: a change that keeps size and time is then seen too. Folders (LevelDB stores of many
// GB) and larger files keep the cheap size-and-time fingerprint.
constexpr uint64_t kMaxHashedContent = 64ull << 20;

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

Status AddContent(const fs::path& file, FieldHash* hash) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("{}: cannot read it", file.string()));
  Fnv1a64 content;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    content.Add(std::string_view(buffer, static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return Status::IOError(fmt::format("{}: cannot read it", file.string()));
  hash->Add(content.Hex());
  return Status::OK();
}

// The path as the file system resolves it (absolute, symlinks and ".." followed), so that
// `dumps/u.json` and `/abs/dumps/u.json` are one source; the text as given when it names
// nothing (a URL).
std::string ResolvedPath(const std::string& path) {
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(path, error);
  return error ? path : resolved.string();
}

// LevelDB's lock and its info log change whenever a browser merely opens the store.
bool IsHousekeeping(const fs::path& file) {
  std::string name = file.filename().string();
  return name == "LOCK" || name == "LOG" || name == "LOG.old";
}

Status AddPath(const std::string& given, FieldHash* hash) {
  std::error_code error;
  std::string path = fs::exists(given, error) ? ResolvedPath(given) : given;
  hash->Add(path);
  fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    // A URL or a path that vanished: its text alone; the extractor reports a missing file.
    return Status::OK();
  }
  if (!fs::is_directory(status)) {
    FERRY_RETURN_IF_ERROR(AddFile(path, fs::path(path).parent_path(), hash));
    uint64_t size = fs::file_size(path, error);
    return error || size > kMaxHashedContent ? Status::OK() : AddContent(path, hash);
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

std::string FingerprintInput(const SourceSpec& spec, const Extractor& opened) {
  std::string digest = opened.ContentDigest();
  if (spec.kind != "postgresql" && digest.empty()) return spec.path;
  return RedactUrl(spec.path) + "\n" + digest;
}

}  // namespace ferry

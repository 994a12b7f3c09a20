#include "agent/run/earlier_archive.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "backup/backup_store.h"
#include "backup/blake2b.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

namespace {

namespace fs = std::filesystem;

// The regular files BackupWriter::AddSource would archive for `paths`, by origin, and the
// source set its summary would hold; false when a source is gone or is no file or folder.
bool FilesNow(const std::vector<std::string>& paths, std::set<std::string>* origins,
              std::array<uint8_t, 16>* source_set) {
  std::set<std::string> roots;
  for (const std::string& source : paths) {
    if (source.empty()) continue;
    std::error_code ec;
    fs::path root = fs::absolute(source, ec).lexically_normal();
    if (root.has_filename() == false) root = root.parent_path();
    fs::file_status st = fs::symlink_status(root, ec);
    if (ec) return false;
    roots.insert(root.string());
    if (fs::is_regular_file(st)) {
      origins->insert(root.string());
      continue;
    }
    if (!fs::is_directory(st)) return false;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      fs::file_status entry = it->symlink_status(ec);
      if (ec) break;
      if (fs::is_regular_file(entry)) origins->insert(it->path().string());
    }
    if (ec) return false;
  }
  std::string joined;
  for (const std::string& root : roots) joined += root + '\n';
  crypto_generichash(source_set->data(), source_set->size(),
                     reinterpret_cast<const uint8_t*>(joined.data()), joined.size(), nullptr, 0);
  return true;
}

// True when the file at `origin` has `size` bytes whose BLAKE2b-256 is `hash`.
bool SameBytes(const backup::ArchivedFile& file, std::string* buffer) {
  ScopedFd fd(::open(file.origin.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return false;
  backup::Blake2b hash;
  uint64_t size = 0;
  buffer->resize(1 << 20);
  while (true) {
    ssize_t n = ::read(fd.get(), buffer->data(), buffer->size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    size += static_cast<uint64_t>(n);
    if (size > file.size) return false;
    hash.Update(std::string_view(buffer->data(), static_cast<size_t>(n)));
  }
  return size == file.size && hash.Peek() == file.hash;
}

// The first file of `files` whose bytes differ from its listing, hashed on two threads; empty
// when none does.
std::string FirstChanged(const std::vector<backup::ArchivedFile>& files) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> changed{files.size()};
  auto work = [&] {
    std::string buffer;
    for (size_t i = next++; i < files.size() && changed.load() == files.size(); i = next++) {
      if (!SameBytes(files[i], &buffer)) {
        size_t none = files.size();
        changed.compare_exchange_strong(none, i);
      }
    }
  };
  std::thread helper(work);
  work();
  helper.join();
  return changed.load() < files.size() ? files[changed.load()].origin : "";
}

}  // namespace

std::optional<EarlierArchive> FindEarlierArchive(const std::string& dir,
                                                 const backup::KeyMaterial& key,
                                                 const std::string& run_id,
                                                 const std::vector<std::string>& paths,
                                                 std::string* why) {
  Result<std::vector<backup::StoredArchive>> archives = backup::ListArchives(dir);
  if (!archives.ok()) {
    *why = archives.status().ToString();
    return std::nullopt;
  }
  const backup::StoredArchive* holder = nullptr;
  for (const backup::StoredArchive& archive : *archives) {  // oldest first
    if (archive.status.ok() && archive.info.header.run_id == run_id && archive.info.has_summary &&
        archive.info.sources_in.empty()) {
      holder = &archive;
      break;
    }
  }
  if (holder == nullptr) {
    *why = "no archive of the run with its sources whole in " + dir;
    return std::nullopt;
  }
  backup::SourcesListing listing;
  Result<std::unique_ptr<backup::BackupReader>> reader =
      backup::BackupReader::Open(holder->path, key);
  Status read = reader.ok() ? (*reader)->ReadSourcesListing(&listing) : reader.status();
  if (!read.ok() || !listing.sources_in.empty() || listing.files.empty()) {
    *why = "archive " + holder->id + ": " + (read.ok() ? "holds no source" : read.ToString());
    return std::nullopt;
  }
  std::set<std::string> origins;
  std::array<uint8_t, 16> source_set{};
  std::set<std::string> listed;
  for (const backup::ArchivedFile& file : listing.files) listed.insert(file.origin);
  if (!FilesNow(paths, &origins, &source_set) || source_set != listing.source_set ||
      origins != listed || listed.size() != listing.files.size()) {
    *why = "the sources are not the files archive " + holder->id + " holds";
    return std::nullopt;
  }
  std::string changed = FirstChanged(listing.files);
  if (!changed.empty()) {
    *why = changed + " changed since archive " + holder->id + " was made";
    return std::nullopt;
  }
  return EarlierArchive{holder->id, std::move(listing.files)};
}

}  // namespace ferry

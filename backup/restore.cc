#include "backup/restore.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

#include "backup/backup_reader.h"
#include "backup/file_io.h"
#include "base/private_file.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

namespace {

std::vector<std::string> Components(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    parts.push_back(name.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

// Where an entry goes: the folder it is written below, and its path relative to that.
void Destination(const RestoreOptions& options, const std::string& origin, const std::string& name,
                 std::string* root, std::string* relative) {
  if (options.to.empty()) {
    size_t slash = origin.rfind('/');
    *root = slash == 0 ? "/" : origin.substr(0, slash);
    *relative = origin.substr(slash + 1);
  } else {
    *root = options.to;
    *relative = name;
  }
}

// Collects the entries and refuses the archive when one would escape or replace a file.
class Planner final : public BackupVisitor {
 public:
  explicit Planner(const RestoreOptions& options) : options_(options) {}
  Status OnFileBegin(const std::string& origin, const std::string& name) override {
    if (!IsSafeEntryName(name)) {
      return Status::InvalidArgument("refusing the entry \"" + name +
                                     "\": an absolute path, or a name with . or .. in it");
    }
    if (options_.to.empty() &&
        (origin.size() < 2 || origin[0] != '/' || !IsSafeEntryName(origin.substr(1)))) {
      return Status::InvalidArgument("the entry \"" + name +
                                     "\" has no clean absolute origin: restore it with --to DIR");
    }
    std::string path = options_.to.empty() ? origin : options_.to + "/" + name;
    struct stat st {};
    if (!options_.force && ::lstat(path.c_str(), &st) == 0) {
      return Status::InvalidArgument(path + " exists: add --force to replace it");
    }
    return Status::OK();
  }

 private:
  const RestoreOptions& options_;
};

// Writes each file below its destination, through descriptors that follow no link.
class Writer final : public BackupVisitor {
 public:
  Writer(const RestoreOptions& options, RestoreOutcome* outcome)
      : options_(options), outcome_(outcome) {}
  ~Writer() override { Abandon(); }

  Status OnFileBegin(const std::string& origin, const std::string& name) override {
    std::string root, relative;
    Destination(options_, origin, name, &root, &relative);
    std::error_code ec;
    std::filesystem::create_directories(root, ec);  // a failure shows at the open
    ScopedFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
      return ErrnoStatus(root);
    }
    std::vector<std::string> parts = Components(relative);
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (::mkdirat(dir.get(), parts[i].c_str(), 0700) != 0 && errno != EEXIST) {
        return ErrnoStatus(root + "/" + parts[i]);
      }
      ScopedFd next(
          ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (next.get() < 0) {
        return Status::InvalidArgument("refusing " + name + ": " + parts[i] +
                                       " is a link or not a folder");
      }
      dir = std::move(next);
    }
    final_name_ = parts.back();
    temp_name_ = "." + final_name_ + ".ferry-restore";
    ::unlinkat(dir.get(), temp_name_.c_str(), 0);  // a leftover of an interrupted restore
    file_ =
        ScopedFd(::openat(dir.get(), temp_name_.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kPrivateFileMode));
    if (file_.get() < 0) {
      return ErrnoStatus(root + "/" + relative);
    }
    dir_ = std::move(dir);
    path_ = root + "/" + relative;
    return Status::OK();
  }

  Status OnFileData(std::string_view bytes) override { return WriteAll(file_.get(), bytes, path_); }

  Status OnFileEnd() override {
    if (::fsync(file_.get()) != 0) {
      return ErrnoStatus(path_);
    }
    file_.Reset(-1);
    unsigned flags = options_.force ? 0 : RENAME_NOREPLACE;
    if (::renameat2(dir_.get(), temp_name_.c_str(), dir_.get(), final_name_.c_str(), flags) != 0) {
      Status status = errno == EEXIST
                          ? Status::InvalidArgument(path_ + " exists: add --force to replace it")
                          : ErrnoStatus(path_);
      Abandon();
      return status;
    }
    ::fsync(dir_.get());
    temp_name_.clear();
    outcome_->written.push_back(path_);
    return Status::OK();
  }

 private:
  void Abandon() {
    file_.Reset(-1);
    if (dir_.get() >= 0 && !temp_name_.empty()) {
      ::unlinkat(dir_.get(), temp_name_.c_str(), 0);
    }
    temp_name_.clear();
  }

  const RestoreOptions& options_;
  RestoreOutcome* outcome_;
  ScopedFd dir_;
  ScopedFd file_;
  std::string final_name_;
  std::string temp_name_;
  std::string path_;
};

// Reads `archive` through `visitor`: OK when its sources verified, whatever came after.
Status ReadSources(const std::string& archive, const KeyMaterial& key, BackupVisitor* visitor,
                   std::string* warning, ReadOutcome* outcome = nullptr,
                   std::string* run_id = nullptr) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<BackupReader> reader, BackupReader::Open(archive, key));
  ReadOutcome read;
  Status status = reader->Read(visitor, &read);
  if (outcome != nullptr) *outcome = read;
  if (run_id != nullptr) *run_id = reader->header().run_id;
  if (!status.ok()) {
    if (!read.sources_complete || !status.IsCorruption()) {
      return status;
    }
    *warning = status.message();
  }
  return Status::OK();
}

}  // namespace

Status SourcesHolder(const std::string& archive, const KeyMaterial& key, BackupVisitor* visitor,
                     std::string* warning, std::string* holder) {
  ReadOutcome outcome;
  std::string run_id;
  FERRY_RETURN_IF_ERROR(ReadSources(archive, key, visitor, warning, &outcome, &run_id));
  *holder = archive;
  if (outcome.sources_in.empty()) return Status::OK();
  const std::string& id = outcome.sources_in;
  if (id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
      std::string::npos) {
    return Status::Corruption("the archive names an invalid archive as its sources' holder");
  }
  size_t slash = archive.rfind('/');
  *holder = (slash == std::string::npos ? std::string(".") : archive.substr(0, slash)) + "/" + id +
            ".ferrybak";
  ReadOutcome held;
  std::string held_run;
  std::string ignored;
  Status status = ReadSources(*holder, key, visitor, &ignored, &held, &held_run);
  if (!status.ok()) {
    return status.WithContext("its sources are in archive " + id + " of the same run");
  }
  if (held_run != run_id || !held.sources_in.empty() ||
      held.manifest_hash != outcome.manifest_hash) {
    return Status::Corruption("archive " + id +
                              ", which it names as holding its sources, does not hold the same "
                              "files for the same run");
  }
  return Status::OK();
}

bool IsSafeEntryName(const std::string& name) {
  if (name.empty() || name[0] == '/' || name.find('\0') != std::string::npos) {
    return false;
  }
  for (const std::string& part : Components(name)) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

Status RestoreArchive(const std::string& archive, const KeyMaterial& key,
                      const RestoreOptions& options, RestoreOutcome* outcome) {
  // A resumed run's archive may list its sources as held by the run's first archive: they are
  // restored from that one, once it verified and lists the same files.
  Planner planner(options);
  std::string holder;
  FERRY_RETURN_IF_ERROR(SourcesHolder(archive, key, &planner, &outcome->warning, &holder));
  std::string warning;
  Writer writer(options, outcome);
  return ReadSources(holder, key, &writer, &warning);
}

}  // namespace ferry::backup

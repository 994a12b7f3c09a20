#include "agent/validate/archived_sources.h"

#include <stdlib.h>

#include <filesystem>
#include <map>

#include "agent/run/source_fingerprint.h"
#include "backup/backup_reader.h"
#include "backup/backup_store.h"
#include "backup/restore.h"
#include "extractors/registry.h"

namespace ferry {

namespace fs = std::filesystem;

namespace {

// Each file's entry name in the archive, by its origin (where the run read it).
class EntryNames : public backup::BackupVisitor {
 public:
  Status OnFileBegin(const std::string& origin, const std::string& name) override {
    names[origin] = name;
    return Status::OK();
  }
  Status OnFileData(std::string_view) override { return Status::OK(); }
  Status OnFileEnd() override { return Status::OK(); }
  Status OnPreImage(std::string_view) override { return Status::OK(); }
  std::map<std::string, std::string> names;
};

// The entry of source `path` (a file, or a folder whose files are entries "top/..."): its top
// name, or empty when the archive holds nothing of it.
std::string TopEntry(const std::map<std::string, std::string>& names, const std::string& path) {
  auto file = names.find(path);
  if (file != names.end()) return file->second;
  auto below = names.lower_bound(path + "/");
  if (below == names.end() || below->first.rfind(path + "/", 0) != 0) return "";
  return below->second.substr(0, below->second.find('/'));
}

// A temporary folder only this user can enter (mkdtemp makes it 0700).
Result<std::string> MakePrivateFolder() {
  std::error_code error;
  std::string pattern = (fs::temp_directory_path(error) / "ferry-validate-XXXXXX").string();
  if (error) pattern = "/tmp/ferry-validate-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("making a private folder for the restored sources");
  }
  return pattern;
}

}  // namespace

bool SourcesChanged(const std::vector<std::string>& sources, const std::string& fingerprint) {
  std::vector<std::string> paths;
  for (const std::string& source : sources) {
    Result<SourceSpec> spec = ResolveSource(source);
    if (!spec.ok()) return true;  // a path no kind claims now: gone or not what it was
    if (spec->kind != "postgresql") {
      paths.push_back(spec->path);
      continue;
    }
    // A database has no file to look at: its digest comes from reading it (read-only).
    Result<std::unique_ptr<Extractor>> extractor = MakeExtractor(*spec);
    if (!extractor.ok() || !(*extractor)->Open().ok()) return true;
    paths.push_back(FingerprintInput(*spec, **extractor));
  }
  Result<std::string> now = SourceFingerprint(paths);
  return !now.ok() || *now != fingerprint;
}

ArchivedSources::~ArchivedSources() {
  if (folder_.empty()) return;
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
}

Status ArchivedSources::Restore(const std::string& run_id, const std::string& backup_dir,
                                const backup::KeyOptions& key, const backup::KeyEnvironment& env,
                                std::vector<std::string>* sources) {
  std::string dir = backup_dir.empty() ? backup::DefaultBackupDir() : backup_dir;
  FERRY_ASSIGN_OR_RETURN(std::vector<backup::StoredArchive> archives, backup::ListArchives(dir));
  const backup::StoredArchive* found = nullptr;
  for (const backup::StoredArchive& archive : archives) {  // oldest first: as first read
    // The archive holding the sources (a resumed run's only lists them).
    if (archive.status.ok() && archive.info.header.run_id == run_id &&
        archive.info.sources_in.empty()) {
      found = &archive;
      break;
    }
  }
  if (found == nullptr) {
    return Status::InvalidArgument("no backup of run " + run_id + " in " + dir +
                                   " (--backup-dir names the folder)");
  }
  archive_id_ = found->id;
  FERRY_ASSIGN_OR_RETURN(backup::KeyMaterial material,
                         backup::ResolveKeyForReading(found->info.header.key_kind, key, env));
  FERRY_ASSIGN_OR_RETURN(auto reader, backup::BackupReader::Open(found->path, material));
  EntryNames entries;
  backup::ReadOutcome outcome;
  Status read = reader->Read(&entries, &outcome);
  if (!outcome.sources_complete) {
    return read.ok() ? Status::Corruption("backup " + found->id + ": sources incomplete")
                     : read.WithContext("backup " + found->id);
  }
  FERRY_ASSIGN_OR_RETURN(folder_, MakePrivateFolder());
  backup::RestoreOutcome restored;
  Status status =
      backup::RestoreArchive(found->path, material, {folder_ + "/files", false}, &restored);
  if (!status.ok()) return status.WithContext("backup " + found->id);
  for (size_t i = 0; i < sources->size(); ++i) {
    FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource((*sources)[i]));
    if (spec.kind == "postgresql") continue;  // a database, not a file: never in an archive
    std::string top = TopEntry(entries.names, spec.path);
    if (top.empty()) {
      return Status::InvalidArgument("backup " + found->id + " holds no copy of source " +
                                     spec.path);
    }
    // Each source in a folder of its own under its first name: "u1.json~2" (two sources of
    // one name) is "u1.json" again, for --user-id-from filename.
    fs::path own = fs::path(folder_) / std::to_string(i);
    std::error_code error;
    fs::create_directory(own, error);
    fs::path copy = own / fs::path(spec.path).filename();
    if (!error) fs::rename(fs::path(folder_) / "files" / top, copy, error);
    if (error) return Status::IOError("restoring " + spec.path + ": " + error.message());
    (*sources)[i] = spec.kind + ":" + copy.string();
  }
  return Status::OK();
}

}  // namespace ferry

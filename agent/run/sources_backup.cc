#include "agent/run/sources_backup.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "backup/backup_reader.h"
#include "backup/backup_store.h"
#include "backup/backup_writer.h"
#include "backup/key_source.h"

namespace ferry {

namespace {

Status WriteAndVerify(const std::string& path, const backup::KeyMaterial& key,
                      const std::string& run_id, const std::vector<std::string>& paths) {
  backup::BackupWriterOptions writer_options;
  writer_options.run_id = run_id;
  FERRY_ASSIGN_OR_RETURN(auto writer, backup::BackupWriter::Create(path, key, writer_options));
  std::vector<std::string> skipped;
  for (const std::string& source : paths) {
    if (!source.empty()) FERRY_RETURN_IF_ERROR(writer->AddSource(source, &skipped));
  }
  FERRY_RETURN_IF_ERROR(writer->Finish());
  for (const std::string& link : skipped) {
    spdlog::warn("backup: skipped {} (a link or special file)", link);
  }
  // A backup that cannot be read back is no backup: checked before the target is touched.
  FERRY_ASSIGN_OR_RETURN(auto reader, backup::BackupReader::Open(path, key));
  backup::ReadOutcome outcome;
  return reader->Read(nullptr, &outcome);
}

}  // namespace

Status BackUpSources(const MigrateOptions& options, const std::vector<std::string>& paths,
                     RunReport* report) {
  if (options.dry_run) {
    return Status::OK();
  }
  if (options.no_backup) {
    report->backup = "none (--no-backup)";
    return Status::OK();
  }
  std::string dir = options.backup_dir.empty() ? backup::DefaultBackupDir() : options.backup_dir;
  FERRY_RETURN_IF_ERROR(backup::EnsureBackupDir(dir));
  std::string generated;
  Result<backup::KeyMaterial> key =
      backup::ResolveKeyForWriting({}, backup::KeyEnvironment::Process(), &generated);
  if (!key.ok()) {
    return key.status().WithContext("backup of the sources (--no-backup skips it)");
  }
  if (!generated.empty()) {
    std::cerr << "ferry migrate: made a new backup key in " << generated
              << " - keep this: the backup cannot be read without it\n";
  }
  std::string id = backup::NewArchiveId(std::time(nullptr));
  FERRY_ASSIGN_OR_RETURN(std::string path, backup::ArchivePath(dir, id));
  Status status = WriteAndVerify(path, *key, report->run_id, paths);
  if (!status.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return status.WithContext("backup of the sources (--no-backup skips it)");
  }
  report->backup = id + " (" + path + ")";
  return Status::OK();
}

}  // namespace ferry

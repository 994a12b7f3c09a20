#include "agent/run/sources_backup.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "backup/backup_reader.h"
#include "backup/backup_store.h"
#include "backup/backup_writer.h"
#include "backup/key_source.h"
#include "backup/written_bytes.h"
#include "base/fault_point.h"

namespace ferry {

namespace {

// Writes the sources, reads them back, and returns the writer, still open for the run's
// pre-images. The read-back runs on a second thread, each chunk shortly after it is written
// (backup/written_bytes.h); the manifest and summary are read back last, once the archive is
// synced: the run goes on only when all of it verified.
Result<std::unique_ptr<backup::BackupWriter>> WriteAndVerify(
    const std::string& path, const backup::KeyMaterial& key, const std::string& run_id,
    const std::vector<std::string>& paths) {
  backup::WrittenBytes written;
  backup::BackupWriterOptions writer_options;
  writer_options.run_id = run_id;
  writer_options.written = &written;
  FERRY_ASSIGN_OR_RETURN(auto writer, backup::BackupWriter::Create(path, key, writer_options));
  FERRY_ASSIGN_OR_RETURN(auto reader, backup::BackupReader::OpenFollowing(path, key, &written));
  backup::ReadOutcome outcome;
  Status read;
  std::thread verifier([&] { read = reader->Read(nullptr, &outcome); });
  std::vector<std::string> skipped;
  Status wrote;
  for (const std::string& source : paths) {
    if (!source.empty() && wrote.ok()) wrote = writer->AddSource(source, &skipped);
  }
  if (wrote.ok()) wrote = writer->EndSources();  // synced
  if (wrote.ok()) {
    // A backup that cannot be read back is no backup: checked before the target is touched.
    FaultPoint("backup.before_read_back");
    written.Publish(writer->size());
  }
  written.Close();
  verifier.join();
  FERRY_RETURN_IF_ERROR(wrote);
  for (const std::string& link : skipped) {
    spdlog::warn("backup: skipped {} (a link or special file)", link);
  }
  // Not finished yet (the pre-images come during the run): the sources must be whole.
  if (!outcome.sources_complete || outcome.finished) {
    return read.ok() ? Status::Internal("the backup read back as finished before its run") : read;
  }
  return writer;
}

}  // namespace

Status BackUpSources(const MigrateOptions& options, const std::vector<std::string>& paths,
                     RunReport* report, std::unique_ptr<PreImageArchive>* archive) {
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
  Result<std::unique_ptr<backup::BackupWriter>> writer =
      WriteAndVerify(path, *key, report->run_id, paths);
  if (!writer.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return writer.status().WithContext("backup of the sources (--no-backup skips it)");
  }
  *archive = std::make_unique<PreImageArchive>(std::move(*writer));
  report->backup = id + " (" + path + ")";
  report->backup_id = id;
  return Status::OK();
}

}  // namespace ferry

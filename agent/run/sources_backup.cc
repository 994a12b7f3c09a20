#include "agent/run/sources_backup.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "agent/run/earlier_archive.h"
#include "backup/backup_reader.h"
#include "backup/backup_store.h"
#include "backup/backup_writer.h"
#include "backup/key_source.h"
#include "backup/written_bytes.h"
#include "base/fault_point.h"

namespace ferry {

namespace {

// Wall and CPU (every thread's) time of the backup of the sources, for --log-level debug.
class PhaseClock {
 public:
  PhaseClock() : wall_(std::chrono::steady_clock::now()), cpu_(Cpu()) {}
  std::string Elapsed() const {
    std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_;
    return fmt::format("{:.3f} s wall, {:.3f} s CPU", wall.count(), Cpu() - cpu_);
  }

 private:
  static double Cpu() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

// Writes the sources, reads them back, and returns the writer, still open for the run's
// pre-images. The read-back runs on a second thread, each chunk shortly after it is written
// (backup/written_bytes.h); the manifest and summary are read back last, once the archive is
// synced: the run goes on only when all of it verified.
Result<std::unique_ptr<backup::BackupWriter>> WriteAndVerify(
    const std::string& path, const backup::KeyMaterial& key, const std::string& run_id,
    const std::vector<std::string>& paths) {
  backup::WrittenBytes written;
  backup::ReadBackReference reference;
  backup::BackupWriterOptions writer_options;
  writer_options.run_id = run_id;
  writer_options.written = &written;
  writer_options.reference = &reference;
  FERRY_ASSIGN_OR_RETURN(auto writer, backup::BackupWriter::Create(path, key, writer_options));
  FERRY_ASSIGN_OR_RETURN(auto reader,
                         backup::BackupReader::OpenFollowing(path, key, &written, &reference));
  backup::ReadOutcome outcome;
  Status read;
  std::thread verifier([&] {
    read = reader->Read(nullptr, &outcome);
    reference.Abandon();  // a reader stopped early holds the writer up no longer
  });
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
  reference.Close();
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

// A resumed run's archive when its sources are those of the run's earlier archive: the manifest
// lists them and the summary names that archive (no source byte again), read back the same.
Result<std::unique_ptr<backup::BackupWriter>> ReferAndVerify(const std::string& path,
                                                             const backup::KeyMaterial& key,
                                                             const std::string& run_id,
                                                             const std::vector<std::string>& paths,
                                                             const EarlierArchive& earlier) {
  backup::BackupWriterOptions writer_options;
  writer_options.run_id = run_id;
  FERRY_ASSIGN_OR_RETURN(auto writer, backup::BackupWriter::Create(path, key, writer_options));
  FERRY_RETURN_IF_ERROR(writer->ReferSources(paths, earlier.id, earlier.files));
  FERRY_RETURN_IF_ERROR(writer->EndSources());  // synced
  FaultPoint("backup.before_read_back");
  FERRY_ASSIGN_OR_RETURN(auto reader, backup::BackupReader::Open(path, key));
  backup::ReadOutcome outcome;
  Status read = reader->Read(nullptr, &outcome);
  if (!outcome.sources_complete || outcome.finished || outcome.sources_in != earlier.id) {
    return read.ok() ? Status::Internal("the backup did not read back as written") : read;
  }
  return writer;
}

}  // namespace

Status PrepareSourcesBackup(const MigrateOptions& options, RunReport* report,
                            std::unique_ptr<SourcesBackupPlan>* plan) {
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
  *plan = std::make_unique<SourcesBackupPlan>(SourcesBackupPlan{dir, std::move(key).value()});
  return Status::OK();
}

Status BackUpSources(const SourcesBackupPlan& plan, const std::vector<std::string>& paths,
                     RunReport* report, std::unique_ptr<PreImageArchive>* archive) {
  const std::string& dir = plan.dir;
  const backup::KeyMaterial* key = &plan.key;
  std::string id = backup::NewArchiveId(std::chrono::system_clock::now());
  FERRY_ASSIGN_OR_RETURN(std::string path, backup::ArchivePath(dir, id));
  const PhaseClock clock;
  // A resumed run whose sources are unchanged since its first archive lists them only.
  std::optional<EarlierArchive> earlier;
  if (!report->resumed_from.empty()) {
    std::string why;
    earlier = FindEarlierArchive(dir, *key, report->run_id, paths, &why);
    if (!earlier) spdlog::debug("backup: the sources are archived again: {}", why);
  }
  Result<std::unique_ptr<backup::BackupWriter>> writer =
      earlier ? ReferAndVerify(path, *key, report->run_id, paths, *earlier)
              : WriteAndVerify(path, *key, report->run_id, paths);
  if (writer.ok() && earlier) {
    spdlog::debug("backup: the sources are those archive {} holds ({} files): listed in {}",
                  earlier->id, earlier->files.size(), clock.Elapsed());
  } else if (writer.ok()) {
    spdlog::debug("backup: the sources ({} archive bytes) written and read back in {}",
                  (*writer)->size(), clock.Elapsed());
  }
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

#include "agent/run/first_write_backup.h"

#include "base/fault_point.h"

namespace ferry {

FirstWriteBackup::FirstWriteBackup(std::unique_ptr<SourcesBackupPlan> plan,
                                   std::vector<std::string> paths, RunReport* report)
    : plan_(std::move(plan)), paths_(std::move(paths)), report_(report) {}

Status FirstWriteBackup::BeforeWrite(Loader* recorder) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (tried_) return outcome_;
  tried_ = true;
  std::unique_ptr<PreImageArchive> archive;
  outcome_ = BackUpSources(*plan_, paths_, report_, &archive);
  // Recorded before the first write: a run that wrote has its archive on its row.
  if (outcome_.ok()) outcome_ = recorder->RecordArchive(report_->backup_id);
  if (outcome_.ok()) archive_ = std::move(archive);
  plan_.reset();  // the key is needed no more
  return outcome_;
}

bool FirstWriteBackup::made() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return archive_ != nullptr;
}

Status FirstWriteBackup::Append(std::string_view record) {
  PreImageArchive* archive = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    archive = archive_.get();
  }
  if (archive == nullptr) return Status::Internal("a pre-image before the run's backup was made");
  return archive->Append(record);
}

Status FirstWriteBackup::Flush() {
  PreImageArchive* archive = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    archive = archive_.get();
  }
  if (archive == nullptr) return Status::Internal("a pre-image flush before the backup was made");
  return archive->Flush();
}

Status FirstWriteBackup::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  return archive_ ? archive_->Close() : Status::OK();
}

}  // namespace ferry

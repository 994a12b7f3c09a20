// GateWritesOnBackup (first_write_backup.h): a loader whose writes wait for the run's archive.
#include "agent/run/first_write_backup.h"
#include "base/fault_point.h"
#include "loaders/forwarding_loader.h"

namespace ferry {

namespace {

class BackupGatedLoader final : public ForwardingLoader {
 public:
  BackupGatedLoader(std::unique_ptr<Loader> inner, FirstWriteBackup* backup)
      : ForwardingLoader(std::move(inner)), backup_(backup) {}

  Result<BatchOutcome> Write(const WriteBatch& batch) override {
    FERRY_RETURN_IF_ERROR(Gate());
    return ForwardingLoader::Write(batch);
  }
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches) override {
    FERRY_RETURN_IF_ERROR(Gate());
    return ForwardingLoader::WriteTogether(batches);
  }

 private:
  Status Gate() {
    if (!opened_) {
      FERRY_RETURN_IF_ERROR(backup_->BeforeWrite(inner()));
      opened_ = true;
      // The archive is made, read back and recorded; nothing written yet (the test's kill).
      FaultPoint("run.before_first_write");
    }
    return Status::OK();
  }

  FirstWriteBackup* backup_;
  bool opened_ = false;  // this loader's writes passed the gate once (one thread at a time)
};

}  // namespace

std::unique_ptr<Loader> GateWritesOnBackup(std::unique_ptr<Loader> inner,
                                           FirstWriteBackup* backup) {
  return std::make_unique<BackupGatedLoader>(std::move(inner), backup);
}

}  // namespace ferry

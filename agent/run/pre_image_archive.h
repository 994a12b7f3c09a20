// PreImageArchive: the run's backup archive, kept open after its sources so that every batch's
// pre-images (loaders/core/pre_image.h) go into it, in one pre-image section, each batch's
// flushed and synced before that batch commits. The workers of a run (--jobs) share it.
//
// A resumed run writes a new archive (with its sources as they are now) under the same run id;
// `ferry rollback` reads every archive of the run, oldest first (docs/design.md).
//
// Thread safety: Append and Flush may be called from any thread; Close from one, after them.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>

#include "backup/backup_writer.h"
#include "loaders/loader.h"

namespace ferry {

class PreImageArchive final : public PreImageSink {
 public:
  // REQUIRES: writer's sources ended (EndSources), no section open.
  explicit PreImageArchive(std::unique_ptr<backup::BackupWriter> writer)
      : writer_(std::move(writer)) {}
  PreImageArchive(const PreImageArchive&) = delete;
  PreImageArchive& operator=(const PreImageArchive&) = delete;

  Status Append(std::string_view record) override;
  Status Flush() override;

  // Closes the section (when one was opened) and finishes the archive. Once only.
  Status Close();

 private:
  std::mutex mutex_;
  std::unique_ptr<backup::BackupWriter> writer_;
  bool section_open_ = false;
};

}  // namespace ferry

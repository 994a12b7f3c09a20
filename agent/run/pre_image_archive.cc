#include "agent/run/pre_image_archive.h"

namespace ferry {

Status PreImageArchive::Append(std::string_view record) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!writer_) return Status::Internal("pre-image after the archive was closed");
  if (!section_open_) {
    FERRY_RETURN_IF_ERROR(writer_->BeginPreImages());
    section_open_ = true;
  }
  return writer_->AppendPreImage(record).WithContext("writing a pre-image to the backup");
}

Status PreImageArchive::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!writer_) return Status::Internal("pre-image flush after the archive was closed");
  return writer_->Flush().WithContext("syncing the pre-images to the backup");
}

Status PreImageArchive::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!writer_) return Status::OK();
  Status status = writer_->Finish();
  writer_.reset();
  return status.WithContext("finishing the backup");
}

}  // namespace ferry

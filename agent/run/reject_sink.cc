#include "agent/run/reject_sink.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/private_file.h"
#include "transformers/json_writer.h"

namespace ferry {

RejectSink::RejectSink(std::string path, std::string run_id)
    : path_(std::move(path)), run_id_(std::move(run_id)) {}

Status RejectSink::Write(const std::string& user_id, const Reject& reject) {
  std::lock_guard<std::mutex> hold(mutex_);
  if (path_.empty()) {
    return Status::OK();
  }
  if (!file_) {
    // 0600: a reject may hold values from the store (docs/security.md).
    int fd = OpenPrivateFile(path_, /*append=*/true);
    file_.reset(fd < 0 ? nullptr : ::fdopen(fd, "a"));
    if (!file_) {
      if (fd >= 0) ::close(fd);
      return Status::IOError(
          fmt::format("{}: cannot create the reject file: {}", path_, std::strerror(errno)));
    }
  }
  std::string line = "{\"run_id\":";
  AppendJsonString(run_id_, &line);
  line += ",\"entity\":";
  AppendJsonString(reject.entity, &line);
  line += ",\"user_id\":";
  AppendJsonString(user_id, &line);
  line += ",\"file\":";
  AppendJsonString(reject.where.file, &line);
  if (!reject.where.origin.empty()) {
    line += ",\"origin\":";
    AppendJsonString(reject.where.origin, &line);
  }
  line += ",\"key\":";
  AppendJsonString(reject.where.key, &line);
  if (reject.where.index >= 0) line += fmt::format(",\"index\":{}", reject.where.index);
  if (reject.where.line >= 0) line += fmt::format(",\"line\":{}", reject.where.line);
  if (reject.where.offset >= 0) line += fmt::format(",\"offset\":{}", reject.where.offset);
  line += ",\"pointer\":";
  AppendJsonString(reject.where.pointer, &line);
  line += ",\"schema_location\":";
  AppendJsonString(reject.schema_location, &line);
  line += ",\"reason\":";
  AppendJsonString(reject.reason, &line);
  if (reject.value) {
    line += ",\"value\":" + *reject.value;
  }
  line += "}\n";
  // Flushed line by line: a line is in the file before the commit of any later batch, so a
  // resume after a kill knows the rejects of what committed are written (entity_pass.h).
  if (std::fwrite(line.data(), 1, line.size(), file_.get()) != line.size() ||
      std::fflush(file_.get()) != 0) {
    return Status::IOError(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
  written_ = true;
  return Status::OK();
}

Status RejectSink::Close() {
  std::lock_guard<std::mutex> hold(mutex_);
  if (file_ && std::fflush(file_.get()) != 0) {
    return Status::IOError(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
  file_.reset();
  return Status::OK();
}

}  // namespace ferry

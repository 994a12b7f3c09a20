#include "agent/run/reject_sink.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

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
  if (!earlier_.empty()) {
    auto found = earlier_.find(std::hash<std::string_view>()(line));
    if (found != earlier_.end()) {
      if (--found->second == 0) earlier_.erase(found);
      written_ = true;  // the file holds it
      return Status::OK();
    }
  }
  // Flushed line by line: a line is in the file before the commit of any later batch, so a
  // resume after a kill knows the rejects of what committed are written (entity_pass.h).
  if (std::fwrite(line.data(), 1, line.size(), file_.get()) != line.size() ||
      std::fflush(file_.get()) != 0) {
    return Status::IOError(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
  written_ = true;
  return Status::OK();
}

Status RejectSink::SkipEarlierSessions() {
  std::lock_guard<std::mutex> hold(mutex_);
  if (path_.empty() || file_) return Status::OK();
  std::error_code error;
  if (!std::filesystem::exists(path_, error)) return Status::OK();
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    return Status::IOError(
        fmt::format("{}: cannot read the reject file: {}", path_, std::strerror(errno)));
  }
  const std::string prefix = [this] {
    std::string text = "{\"run_id\":";
    AppendJsonString(run_id_, &text);
    return text + ",";
  }();
  std::string line;
  uint64_t whole = 0;  // bytes up to the end of the last complete line
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline after it: torn by a kill, cut off below
    whole += line.size() + 1;
    if (line.compare(0, prefix.size(), prefix) != 0) continue;  // another run's
    line += '\n';
    ++earlier_[std::hash<std::string_view>()(line)];
  }
  in.close();
  if (whole != std::filesystem::file_size(path_, error) && !error) {
    std::filesystem::resize_file(path_, whole, error);
  }
  if (error) {
    return Status::IOError(
        fmt::format("{}: cannot cut its torn last line: {}", path_, error.message()));
  }
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

#include "base/status.h"

namespace ferry {

namespace {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kNotFound:
      return "Not found";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kInvalidArgument:
      return "Invalid argument";
    case Status::Code::kIOError:
      return "IO error";
    case Status::Code::kUnavailable:
      return "Unavailable";
    case Status::Code::kLocked:
      return "Locked";
    case Status::Code::kRejected:
      return "Rejected";
    case Status::Code::kInternal:
      return "Internal error";
  }
  return "Unknown";
}

}  // namespace

std::string Status::ToString() const {
  if (ok()) {
    return "OK";
  }
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  Status copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return 0;
    case Status::Code::kInvalidArgument:
      return 2;
    case Status::Code::kLocked:
      return 4;
    default:
      return 1;
  }
}

}  // namespace ferry

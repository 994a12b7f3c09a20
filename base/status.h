// Status: the outcome of an operation that crosses a module border.
//
// ferry does not let exceptions cross module borders: each library call that may throw
// (libpqxx, yaml-cpp, simdjson's exceptions API) is wrapped at the border and turned into a
// Status whose message names the place (file, offset, origin, key). Modelled on
// leveldb/include/leveldb/status.h: named factories, cheap to copy when ok.
//
// Thread safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // a file, table, run or key that was named does not exist
    kCorruption,       // input is not what it claims to be (bad JSON, truncated table, ...)
    kInvalidArgument,  // usage or configuration error (bad flag, hostile mapping)
    kIOError,          // the operating system refused (permissions, disk full, ...)
    kUnavailable,      // transient: a dropped connection, a busy database; worth a retry
    kLocked,           // another run holds the lock for this (target, user)
    kRejected,         // a record failed validation and the run was told to stop on it
    kInternal,         // a bug in ferry: an invariant did not hold
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Locked(std::string_view msg) { return Status(Code::kLocked, msg); }
  static Status Rejected(std::string_view msg) { return Status(Code::kRejected, msg); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsLocked() const { return code_ == Code::kLocked; }
  bool IsRejected() const { return code_ == Code::kRejected; }

  // The message alone, as given to the factory (plus any context added with WithContext).
  const std::string& message() const { return message_; }

  // "Corruption: <message>", or "OK".
  std::string ToString() const;

  // A copy of this status whose message is prefixed by `context` ("file.json: ...").
  // REQUIRES: !ok()
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// The process exit code for a failed status: 2 for usage/configuration, 4 for a held lock,
// 1 for everything else (PRODUCT.md, "Exit codes").
int ExitCodeFor(const Status& status);

}  // namespace ferry

// Returns early from the enclosing function when `expr` is not ok.
#define FERRY_RETURN_IF_ERROR(expr)             \
  do {                                          \
    ::ferry::Status ferry_status_tmp_ = (expr); \
    if (!ferry_status_tmp_.ok()) {              \
      return ferry_status_tmp_;                 \
    }                                           \
  } while (0)

// Reading a whole input file into memory for simdjson, with errors that name the file.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

// The Status for a failed system call on `path`: NotFound for a missing file or folder,
// IOError naming the reason otherwise ("permission denied"). `what` says what was attempted.
Status FileError(const std::string& path, const char* what, int error_number);

// Reads the regular file at `path` into a padded buffer. A leading UTF-8 byte order mark is
// overwritten with spaces (JSON whitespace), so byte offsets stay those of the file.
// Fails NotFound when missing, IOError when unreadable, InvalidArgument when it is not a
// regular file or is larger than simdjson can parse (4 GiB).
Result<simdjson::padded_string> ReadJsonFile(const std::string& path);

// The first byte of `path` that is not JSON whitespace (after any UTF-8 byte order mark),
// reading at most the first 64 KiB; nullopt when the file is unreadable or blank there.
std::optional<char> FirstJsonByte(const std::string& path);

}  // namespace ferry

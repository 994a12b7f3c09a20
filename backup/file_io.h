// Whole reads and writes on a descriptor, retried on EINTR and short counts.
//
// Thread safety: free functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ferry::backup {

// Writes all of `bytes` to `fd`; IOError naming `what` otherwise.
Status WriteAll(int fd, std::string_view bytes, std::string_view what);

// Reads up to `n` bytes into *out (replacing it); fewer only at the end of the file.
Status ReadUpTo(int fd, size_t n, std::string* out, std::string_view what);

// As ReadUpTo, into *buffer, which only grows (memory reused from one read to the next is
// neither freed nor cleared); *out views the bytes read, valid until the buffer changes.
Status ReadInto(int fd, size_t n, std::string* buffer, std::string_view* out,
                std::string_view what);

// "<what>: <strerror(errno)>" as an IOError.
Status ErrnoStatus(std::string_view what);

}  // namespace ferry::backup

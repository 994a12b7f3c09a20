// LineReader: reads a text file one line at a time with bounded memory (ndjson sources).
//
// Memory is one read buffer plus the current line; a line longer than the limit is an error
// rather than an allocation as large as the file.
//
// Thread safety: one LineReader per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "base/result.h"
#include "extractors/common/stream_digest.h"

namespace ferry {

class LineReader {
 public:
  LineReader(std::string path, size_t max_line_bytes);
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  // Opens the regular file. Fails NotFound, IOError (e.g. permission denied) or
  // InvalidArgument (not a regular file) naming it. Must be called once, before ReadLine.
  Status Open();

  // Reads the next line into *line, without its "\n" or "\r\n". Returns false at the end of
  // the file as it was when opened (bytes appended since are not read). Fails Corruption
  // naming the line when it is longer than max_line_bytes, IOError when reading fails or the
  // file shrank below that size, and at the end IOError "file changed while being read" when
  // what was read is no longer the file's start (written to in place: see CheckUnchanged);
  // after a failure the reader is done.
  Result<bool> ReadLine(std::string* line);

  int64_t line_number() const { return line_number_; }  // 1-based, of the last line read
  int64_t line_offset() const { return line_offset_; }  // its first byte in the file

 private:
  // Refills the buffer; false at the end of the file.
  Result<bool> Fill();
  // At the end: OK when the file's size and times are those at Open(), or when it grew (or was
  // touched) and its first size_at_open_ bytes, read again, are what was read (digest_);
  // else IOError "file changed while being read". Reading again costs nothing in the common
  // case (nothing moved) and one more read of the file when something did.
  Status CheckUnchanged();

  const std::string path_;
  int fd_ = -1;
  const size_t max_line_bytes_;
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;          // first unread byte in buffer_
  size_t end_ = 0;            // one past the last valid byte in buffer_
  int64_t consumed_ = 0;      // file offset of buffer_[begin_]
  int64_t file_offset_ = 0;   // bytes read from the file so far
  int64_t size_at_open_ = 0;  // what is read: the file's size when opened
  struct timespec mtime_at_open_ = {};
  struct timespec ctime_at_open_ = {};
  StreamDigest digest_;  // of the bytes read so far
  int64_t line_number_ = 0;
  int64_t line_offset_ = 0;
  bool done_ = true;  // until Open() succeeds
};

}  // namespace ferry

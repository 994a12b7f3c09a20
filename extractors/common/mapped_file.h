// MappedFile: a regular input file mapped read-only, for a reader that moves through it forward
// (the dump index) and so need not hold it whole (issue 15 item 8, docs/design.md "Memory").
//
// The file's pages come into memory as they are read; ReleaseBefore() lets the ones behind the
// reader go (they are read again from the file if touched again, so releasing is never wrong,
// only slower). Memory is then the pages between two releases (8 MiB) plus what a reader keeps
// of its own, not the file's size.
//
// The file is read as it was when mapped: one that shrank before it was mapped is IOError
// ("file shrank while being read"). One cut short after that faults (SIGBUS) when a page past
// its new end is read: a handler ferry installs for its mappings then prints the same message,
// naming the file, and ends the process with exit 1 (what a run committed stays, and the same
// command resumes, as after any kill; docs/reliability.md). One rewritten in place (same size,
// new bytes) cannot fault: Unchanged() compares it with what it was when mapped, and a reader
// asks after each pass over it, so that bytes of two versions never pass for one file.
//
// Thread safety: text() may be read from any thread; ReleaseBefore() from one at a time.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

class MappedFile {
 public:
  // Maps the regular file at `path`. A leading UTF-8 byte order mark reads as spaces (JSON
  // whitespace), so byte offsets stay those of the file. Fails as ReadJsonFile does
  // (file_reader.h): NotFound when missing, IOError when unreadable or shrunk, InvalidArgument when
  // it is not a regular file or is over 4 GiB.
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // The whole file, valid while this lives.
  std::string_view text() const { return {data_, size_}; }

  // OK while the file is as it was when mapped: the same size, modification and change times
  // (through the descriptor kept open: a file replaced by a rename is still the one mapped, and
  // reads whole). Else IOError "PATH: file changed while being read". A change within the
  // file system's clock tick of the last one before Open may go unseen (docs/security.md).
  Status Unchanged() const;

  // Lets the pages wholly before `offset` leave the process's memory. Cheap when called often:
  // it acts once the offset has moved 8 MiB from the last release, or gone back (a new pass).
  void ReleaseBefore(size_t offset);

 private:
  struct Key {};  // lets Open construct through std::make_unique, and no one else

 public:
  MappedFile(Key, char* data, size_t size, std::string fault_message)
      : data_(data), size_(size), fault_message_(std::move(fault_message)) {}

 private:
  char* data_;
  size_t size_;
  size_t floor_ = 0;     // never released: the first page when its byte order mark was rewritten
  size_t released_ = 0;  // pages below this were released last time
  std::string fault_message_;  // what the SIGBUS handler prints for this mapping
  int fault_slot_ = -1;        // its place in the handler's table, or -1
  std::string path_;
  ScopedFd fd_;            // kept open for Unchanged()
  struct stat opened_ {};  // the file when it was mapped
};

}  // namespace ferry

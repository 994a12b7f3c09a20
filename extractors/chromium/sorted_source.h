// SortedSource: one run of LevelDB entries in key order, one table or the logs, to be merged
// with the others by LevelDbReader. Within a user key the newest (highest sequence) comes
// first, as LevelDB's internal key order has it.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/location.h"

namespace ferry::chromium {

class SortedSource {
 public:
  SortedSource() = default;
  SortedSource(const SortedSource&) = delete;
  SortedSource& operator=(const SortedSource&) = delete;
  virtual ~SortedSource() = default;

  // True while positioned at an entry.
  virtual bool Valid() const = 0;
  // The entry's user key, sequence number, kind and value, valid until Next().
  // REQUIRES: Valid()
  virtual std::string_view user_key() const = 0;
  virtual uint64_t sequence() const = 0;
  virtual bool deletion() const = 0;
  virtual std::string_view value() const = 0;
  // The file (and block or record offset) the entry was read from. REQUIRES: Valid()
  virtual const Location& where() const = 0;
  // Moves to the next entry; damage met on the way is reported, not returned.
  // REQUIRES: Valid()
  virtual void Next() = 0;
};

}  // namespace ferry::chromium

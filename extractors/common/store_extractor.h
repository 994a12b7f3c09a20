// StoreExtractor: what the browser-store extractors (Chromium's LevelDB, Firefox's SQLite)
// share — the current entry, its validity, the sticky status and the size hint, with
// Extractor's accessors over them — so that each keeps only its way through its stores.
//
// Thread safety: as Extractor, one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "extractors/extractor.h"

namespace ferry {

class StoreExtractor : public Extractor {
 public:
  bool Valid() const final { return valid_; }
  const Entry& entry() const final { return entry_; }
  SizeHint ExpectedSize() const final { return size_; }
  Status status() const final { return status_; }

 protected:
  // Lets the current entry's value go when it is big, before the next one is read, so that
  // peak memory stays a small multiple of the largest value rather than keeping its buffer.
  void ReleaseLargeValue() {
    constexpr size_t kKeptValueCapacity = 256 * 1024;
    if (entry_.value.capacity() > kKeptValueCapacity) std::string().swap(entry_.value);
  }

  // Units() of a browser source: each profile (named `names`, no user hint) is a localStorage
  // of its own, even two profiles of one person's browser.
  static SourceUnits ProfileUnits(std::vector<std::string> names) {
    SourceUnits units;
    units.user_hints.resize(names.size());
    units.names = std::move(names);
    units.separate_stores = true;
    return units;
  }

  bool valid_ = false;
  Entry entry_;
  Status status_;  // the first failure; once set, iteration has ended
  SizeHint size_;
};

}  // namespace ferry

// Entry: one key/value pair of a legacy store, as the store held it.
#pragma once

#include <string>

#include "base/location.h"

namespace ferry {

// How the value of an Entry is to be read by the router.
enum class EntryShape {
  kStorageValue,  // a localStorage value: text that is usually, not always, JSON
  kRecord,        // one record as JSON text (a json/ndjson source): never a string to re-parse
};

struct Entry {
  // The unit of work this entry belongs to: one user's store, dump file or record file.
  // Entries of one unit are yielded consecutively; `unit` changes when the next one starts.
  std::string unit;
  // The user id the source itself suggests (a dump's file stem), empty when it has none.
  std::string user_hint;
  std::string origin;  // localStorage origin, empty when the source has none
  std::string key;     // localStorage key; for json/ndjson the file's stem
  std::string value;   // UTF-8 text of the value
  EntryShape shape = EntryShape::kStorageValue;
  Location where;      // file and byte offset or line of the value
  // True when the value was decoded with replacement characters (U+FFFD) because the store
  // held text that is not well-formed (a lone UTF-16 surrogate).
  bool lossy = false;
};

}  // namespace ferry

// Entry: one key/value pair of a legacy store, as the store held it.
#pragma once

#include <cstdint>
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
  Location where;  // file and byte offset or line of the value
  // True when the value was decoded with replacement characters (U+FFFD) because the store
  // held text that is not well-formed (a lone UTF-16 surrogate).
  bool lossy = false;
  // Only when lossy: the origin, key and value as JSON string bodies (no quotes) with every
  // unpaired surrogate kept as a \uXXXX escape, which is what `ferry export` writes so that
  // a dump made from the store reads back exactly as the store does. Empty otherwise (then
  // export escapes the UTF-8 fields).
  std::string exact_origin_json;
  std::string exact_key_json;
  std::string exact_value_json;
  // Only when lossy: what was not well-formed, for the run's report and --strict-unicode
  // ("value is not well-formed UTF-16 (unpaired surrogate U+D800 at code unit 0)").
  std::string lossy_detail;
  // Earlier members of the same name that this entry's key (or origin) overrode in its JSON
  // object, dropped as JavaScript's JSON.parse drops them (the last one wins); for the report.
  int64_t overridden = 0;
};

}  // namespace ferry

// KeyGroups: the keys of the sources, grouped the way an app names them: `note:123`,
// `note:124` are the group `note:`; `kanban:cards:1` is `kanban:cards:`; a key without a
// `:` is a group of its own. Each group keeps counts and a RecordProfile, never a value.
//
// Memory: one group per pattern (the sources' keys are not kept), at most kMaxGroups groups;
// past that the scan fails, naming the bound.
//
// Thread safety: one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/propose/record_profile.h"
#include "base/result.h"
#include "extractors/entry.h"

namespace ferry::propose {

// What a value is, as the app wrote it.
enum class ValueKind {
  kText,            // not JSON: plain text
  kScalar,          // a JSON string, number, boolean or null
  kObject,          // a JSON object: one record
  kArrayOfObjects,  // a JSON array whose elements are objects (or empty): records
  kOtherArray,      // any other JSON array
};
constexpr size_t kValueKinds = 5;

struct KeyGroup {
  std::string origin;
  std::string prefix;  // the key_prefix ("note:"); empty: the single key `key`
  std::string key;     // the key, when prefix is empty
  int64_t keys = 0;
  std::vector<std::string> examples;  // the first kMaxExamples keys
  std::array<int64_t, kValueKinds> kinds{};
  RecordProfile records;  // records of object values and of arrays of objects
  std::string secret;     // why a key name or a value looks secret; empty: none

  // The one kind of every value, or kText when they differ (text holds any value).
  ValueKind Kind() const;
};

constexpr size_t kMaxExamples = 3;
constexpr size_t kMaxGroups = 10'000;

class KeyGroups {
 public:
  // Counts one entry of a store or dump. Fails past kMaxGroups groups.
  Status Add(const Entry& entry);

  // Folds groups that differ only in one middle part (`rnd:0:a`, `rnd:1:b`: `rnd:0:` and
  // `rnd:1:` become `rnd:`) when at least kMinSiblings of them share their parent, then
  // returns every group: prefix groups longest prefix first, then single keys, in the
  // order first seen.
  std::vector<KeyGroup> Finish();

  // How many origins the entries came from.
  size_t origins() const { return origins_.size(); }

 private:
  std::map<std::string, size_t> index_;  // origin \0 prefix-or-=key -> groups_[i]
  std::vector<KeyGroup> groups_;
  std::map<std::string, int> origins_;
  simdjson::dom::parser parser_;
};

constexpr int kMinSiblings = 3;

// The key's group prefix: the key up to and including its last ':', or empty.
std::string PrefixOf(const std::string& key);

}  // namespace ferry::propose

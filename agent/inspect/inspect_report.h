// InspectReport: what `ferry inspect` found in its sources, and how it is gathered.
//
// Holds the first kMaxKeysPrinted keys of each origin (name, size, entity, records), never a
// value, and counts the rest: memory does not grow with the number of keys. --json's list of
// every key, its JSON text (~50 bytes a key), goes past 64 KiB an origin to an unnamed 0600
// temporary file (KeysJsonSpill) and is copied from there to the output. Filled by
// InspectSources (inspect_scan.h), printed by inspect_print.h.
//
// Thread safety: owned by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/inspect/id_kind.h"
#include "base/status.h"

namespace ferry {

struct KeyFacts {
  std::string key_json;      // the key as a JSON string body (unpaired surrogates kept)
  int64_t value_bytes = 0;   // UTF-8 bytes of the value as decoded
  std::string entity;        // the entity the mapping routes it to; empty: none
  bool json = true;          // a mapped key: its value parsed as JSON
  int64_t records = 0;       // a mapped key: records in its value
  int64_t valid = 0;         // ... of which pass the entity's schema and have an id
  std::string lossy_detail;  // not empty when the key or value is not well-formed UTF-16
};

// At most this many keys of one origin in the table (--json lists them all).
constexpr size_t kMaxKeysPrinted = 40;

// Where --json's keys go past an origin's 64 KiB: an unnamed 0600 temporary file (no name
// another user could open, gone with the process however it ends), appended to in parts.
class KeysJsonSpill {
 public:
  KeysJsonSpill() = default;
  ~KeysJsonSpill();
  KeysJsonSpill(const KeysJsonSpill&) = delete;
  KeysJsonSpill& operator=(const KeysJsonSpill&) = delete;

  // Appends `text`; false when it could not (no temporary folder, a full disk): the caller
  // keeps it.
  bool Append(std::string_view text, uint64_t* offset);
  // Writes `size` bytes from `offset` to `out`. Fails IOError when they cannot be read back.
  Status CopyTo(uint64_t offset, uint64_t size, std::ostream& out) const;

 private:
  int fd_ = -1;
  uint64_t end_ = 0;
};

struct OriginFacts {
  std::string source;       // the source argument
  std::string unit;         // the profile or file it belongs to
  std::string origin_json;  // the origin as a JSON string body
  int64_t value_bytes = 0;
  int64_t key_count = 0;       // every key
  std::vector<KeyFacts> keys;  // the first kMaxKeysPrinted, in the source's order
  std::string keys_json;       // with InspectReport::keys_as_json: every key's JSON object,
                               // comma-separated, in the source's order; those before it in
                               // `spill`, at these (offset, size), when it holds any
  std::vector<std::pair<uint64_t, uint64_t>> keys_json_spilled;
  KeysJsonSpill* spill = nullptr;  // the report's; null: every key stays in keys_json

  // Counts `key`, keeps it when among the first kMaxKeysPrinted, and appends its JSON to
  // keys_json when `as_json`.
  void AddKey(KeyFacts key, bool as_json);
};

struct EntityFacts {
  int64_t keys = 0;      // keys routed to it
  int64_t not_json = 0;  // ... whose value is not JSON or not the entity's shape
  int64_t records = 0;
  int64_t valid = 0;
  std::array<int64_t, 5> id_kinds{};  // by IdKind
};

struct InspectReport {
  std::vector<std::string> sources;
  std::string mapping;  // the mapping file ("<embedded>" for the default)
  std::vector<OriginFacts> origins;
  std::map<std::string, EntityFacts> entities;  // every entity of the mapping
  std::vector<std::string> entity_order;        // the mapping's load order
  int64_t entries = 0;
  int64_t lossy_entries = 0;
  int64_t problems = 0;                   // damage reported by the extractors
  std::vector<std::string> problem_list;  // each with its place (at most kMaxProblemsListed)
  bool keys_as_json = false;              // fill OriginFacts::keys_json (--json)
  std::shared_ptr<KeysJsonSpill> keys_spill = std::make_shared<KeysJsonSpill>();

  // The facts of (source, unit, origin), created at the end when new. Entries of an origin
  // come together, so the last one is checked first.
  OriginFacts& Origin(const std::string& source, const std::string& unit,
                      const std::string& origin_json);
  void AddProblem(const std::string& text);

 private:
  std::map<std::string, size_t> origin_index_;  // source \0 unit \0 origin -> origins[i]
};

constexpr size_t kMaxProblemsListed = 100;

}  // namespace ferry

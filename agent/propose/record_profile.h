// RecordProfile: what the records of one proposed entity look like, learnt one record at a
// time: the kinds of each top-level field, how often it is there, whether its strings are
// RFC 3339 date-times or its integers epoch milliseconds, and which fields (at any depth up
// to kMaxSecretDepth) look secret by name or value.
//
// Memory: counters per field, never a value; at most kMaxFields fields and kMaxSecretPaths
// secret paths are kept, whatever the number of records.
//
// Thread safety: one thread at a time.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ferry::propose {

// JSON kinds, as bits.
enum KindBit : uint8_t {
  kNull = 1,
  kBool = 2,
  kInt = 4,
  kReal = 8,
  kString = 16,
  kObject = 32,
  kArray = 64,
};

struct FieldProfile {
  std::string name;     // the member name, as in the records
  int64_t present = 0;  // records that hold it (a null counts)
  int64_t non_null = 0;
  uint8_t kinds = 0;                     // KindBit of every value seen
  std::array<int64_t, 7> kind_counts{};  // values of each kind, by bit position
  int64_t date_times = 0;                // strings that are RFC 3339 date-times
  int64_t epoch_ms = 0;                  // integers between 1973 and 5138 as milliseconds
  std::string secret;                    // why it looks secret; empty: it does not

  // The kinds the app writes: each held by at least 1 in 10 of the non-null values (the
  // rest are taken for bad data, which the inferred schema then rejects), plus null when seen.
  uint8_t UsualKinds() const;
};

struct SecretPath {
  std::string path;    // dotted field path, '.' and '\' escaped as in a mapping
  std::string reason;  // why
};

constexpr size_t kMaxFields = 200;
constexpr size_t kMaxSecretPaths = 50;
constexpr int kMaxSecretDepth = 4;

class RecordProfile {
 public:
  // Learns one record (any JSON value; only objects have fields).
  void Add(simdjson::dom::element record);
  // Adds what `other` learnt.
  void Merge(const RecordProfile& other);

  int64_t records() const { return records_; }
  int64_t objects() const { return objects_; }
  uint8_t kinds() const { return kinds_; }  // KindBit of the records themselves
  bool too_many_fields() const { return too_many_fields_; }
  const std::vector<FieldProfile>& fields() const { return fields_; }
  const std::vector<SecretPath>& nested_secrets() const { return nested_secrets_; }

  // The field named `name`, or null.
  const FieldProfile* Find(std::string_view name) const;

 private:
  FieldProfile* Field(std::string_view name);
  void NoteSecret(std::string path, std::string reason);
  void FindNestedSecrets(simdjson::dom::element value, const std::string& path, int depth);

  int64_t records_ = 0;
  int64_t objects_ = 0;
  uint8_t kinds_ = 0;
  bool too_many_fields_ = false;
  std::vector<FieldProfile> fields_;  // in the order first seen
  std::vector<SecretPath> nested_secrets_;
};

// The KindBit of a value.
uint8_t KindOf(simdjson::dom::element value);

// `name` as one step of a mapping field path: '.' and '\' escaped with a backslash.
std::string PathStep(std::string_view name);

}  // namespace ferry::propose

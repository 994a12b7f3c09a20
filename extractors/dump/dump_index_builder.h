// The builder of a DumpIndex (dump_file.h): it checks the file with json_scan.h's scanner, then
// walks it (dump_scan_walk.cc). Internal to extractors/dump/.
//
// Thread safety: one thread at a time.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "extractors/common/json_error.h"
#include "extractors/common/json_position.h"
#include "extractors/common/json_string.h"
#include "extractors/common/text_position.h"
#include "extractors/dump/dump_file.h"

namespace ferry {

namespace dump_internal {

namespace od = simdjson::ondemand;

inline const char* TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

enum class DumpForm {
  kUnknown,  // no string or object member seen yet
  kFlat,     // {key: string}
  kOrigins,  // {origin: {key: string}}
};

inline constexpr uint32_t kNoOrigin = std::numeric_limits<uint32_t>::max();

// The deepest nesting a dump may hold (the scanner keeps a byte a level: 1 MiB at most). A
// value nested deeper than 1024 levels but under this is one bad value, reported, as it was
// when simdjson skipped it; a deeper file is Corruption.
inline constexpr size_t kMaxDepth = size_t{1} << 20;

// The type of the value whose first byte is `c`, in strict JSON.
inline od::json_type TypeAt(char c) {
  switch (c) {
    case '{':
      return od::json_type::object;
    case '[':
      return od::json_type::array;
    case '"':
      return od::json_type::string;
    case 't':
    case 'f':
      return od::json_type::boolean;
    case 'n':
      return od::json_type::null;
    default:
      return od::json_type::number;
  }
}

}  // namespace dump_internal

// One entry of the index: where its key and value are in the text.
struct DumpIndex::Slot {
  uint64_t key_quote;    // offset of the key's opening quote
  uint64_t value_quote;  // offset of the value's opening quote
  uint32_t origin;       // index in origins_, or dump_internal::kNoOrigin (flat form)
  uint32_t overridden;   // Entry::overridden
};

// One top-level member whose value is an object (origin form), read or not.
struct DumpIndex::OriginMember {
  DecodedString name;
  int64_t quote = -1;  // offset of its name's opening quote
};

// One pass over a file json_scan.h found well-formed (memory: the index's budget; a damaged
// file is refused before it, naming the place).
class DumpIndex::Builder {
 public:
  Builder(DumpIndex* index, const std::vector<std::string>& origins, uint64_t max_value_bytes,
          const std::function<void(DumpProblem)>& problem, uint64_t memory_budget)
      : index_(*index),
        text_(index->text_),
        origins_(origins),
        max_value_bytes_(max_value_bytes),
        problem_(problem),
        position_(text_, index->release_),
        memory_budget_(memory_budget),
        by_name_(memory_budget) {}

  Status Build();

 private:
  // A decoded string and the offset of its opening quote (-1 for the flat form's no origin).
  struct Named {
    const DecodedString& decoded;
    int64_t quote;
  };

  // Build() on a well-formed file: walks it with json_scan.h, whose memory is a byte a level
  // (simdjson held an index of ~5 bytes a byte of text).
  Status ScanBuild();
  Status ScanOrigin(size_t open, uint32_t origin);
  // Fails when a top-level member of `type` makes the file a mix of forms, else sets *form
  // and *first_member from the first member that decides the form.
  Status CheckForm(const std::string& key, int64_t key_offset, dump_internal::od::json_type type,
                   dump_internal::DumpForm* form, std::string* first_member) const;
  // Drops every entry an object member of the same name overrides later in the file, as
  // JSON.parse does (the last wins: of an origin's objects, and of a key's values), and counts
  // them in the kept entries' `overridden`. Names are compared by hash, then exactly.
  Status ResolveDuplicates();
  // Indexes the value at `offset` of `key`, or reports a problem when it is not a string, not
  // decodable or too long. Fails only when the index cannot be written.
  Status AddValueAt(int64_t offset, dump_internal::od::json_type type, uint32_t origin, Named key);
  void AddProblem(int64_t offset, const std::string& origin, const std::string& key,
                  const std::string& message);
  void AddProblem(int64_t offset, const std::string& origin, const std::string& key,
                  Status problem);
  const std::string& OriginName(uint32_t origin) const {
    static const std::string kNone;
    return origin == dump_internal::kNoOrigin ? kNone : index_.origins_[origin].name.text;
  }

  Status Fail(int64_t offset, std::string_view message) const {
    Location where;
    where.file = index_.path_;
    TextPosition(text_, index_.release_).Locate(offset, &where);
    return JsonCorruptionAt(where, message);
  }
  void Passed(size_t at) const {
    if (index_.release_) index_.release_(at);
  }

  DumpIndex& index_;
  const std::string_view text_;
  const std::vector<std::string>& origins_;
  const uint64_t max_value_bytes_;
  const std::function<void(DumpProblem)>& problem_;
  TextPosition position_;  // for problems only
  const uint64_t memory_budget_;
  // (origin, key) -> the slot: of each name the last one put wins, and count() says how many
  // there were (ResolveDuplicates).
  SpillingKeyIndex by_name_;
  uint64_t slots_ = 0;                           // slots put in by_name_, numbered in file order
  std::map<std::string, uint32_t> last_origin_;  // origin form: origin -> its last member
  std::map<std::string, int64_t> origin_times_;  // origin form: how many members name it
};

}  // namespace ferry

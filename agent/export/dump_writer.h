// DumpWriter: writes entries as a localStorage dump, {origin: {key: value}}, as they come.
//
// The output is the format the `dump` source reads, laid out like the fixtures'
// expected/<scenario>.json (one-space indent, one key a line). Strings are written by the
// canonical escaper (extractors/common/json_exact.h); a lossy entry's exact_*_json are
// written as they are, so that unpaired surrogates stay \uXXXX escapes. Entries are written
// in the order they are added: memory is one entry plus the keys of the current origin
// (to refuse a key twice), never the whole store; a value is escaped onto the stream a MiB at
// a time, never copied whole.
//
// An origin's entries must come together, within one unit: a JSON object holds each origin
// once. An origin that comes back later (another profile, another dump file holding the same
// origin) is InvalidArgument naming both places: such sources are exported one at a time. A
// key twice in one origin of one unit can only be damage (a store whose primary key no longer
// holds): that entry is Rejected, not written, and the dump goes on.
//
// Thread safety: one DumpWriter per thread.
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <unordered_set>

#include "base/status.h"
#include "extractors/entry.h"

namespace ferry {

class DumpWriter {
 public:
  explicit DumpWriter(std::ostream* out) : out_(out) {}
  DumpWriter(const DumpWriter&) = delete;
  DumpWriter& operator=(const DumpWriter&) = delete;

  // Writes `entry` under its origin. Rejected when its key came before in the origin (nothing
  // written; the writer goes on). Fails InvalidArgument as above, Corruption when a string is
  // not UTF-8, IOError when the stream fails; then the output is unusable.
  Status Add(const Entry& entry);

  // Closes the dump (an empty store gives "{}"). REQUIRES: called once, after the last Add.
  Status Finish();

  int64_t entries() const { return entries_; }
  int64_t origins() const { return static_cast<int64_t>(seen_origins_.size()); }

 private:
  Status CheckStream(const Entry& entry) const;

  std::ostream* out_;
  std::string buffer_;       // the text before one entry's value, written at once
  std::string origin_body_;  // the current origin, as its canonical body
  std::string origin_unit_;  // the unit it came from
  bool open_origin_ = false;
  std::set<std::string> seen_origins_;    // bodies of every origin written
  std::unordered_set<std::string> keys_;  // key bodies of the current origin
  int64_t entries_ = 0;
};

}  // namespace ferry

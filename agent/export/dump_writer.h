// DumpWriter: writes entries as a localStorage dump, {origin: {key: value}}, as they come.
//
// The output is the format the `dump` source reads, laid out like the fixtures'
// expected/<scenario>.json (one-space indent, one key a line). Strings are written by the
// canonical escaper (extractors/common/json_exact.h); a lossy entry's exact_*_json are
// written as they are, so that unpaired surrogates stay \uXXXX escapes. Entries are written
// in the order they are added: memory is one entry plus the keys of the current origin (to
// refuse a key twice) in a SpillingKeyIndex, which holds them in memory up to a budget and
// past it in a temporary file, so never the whole store; a value is escaped onto the stream a
// MiB at a time, never copied whole.
//
// An origin's entries must come together, within one unit: a JSON object holds each origin
// once. An origin that comes back later (another profile, another dump file holding the same
// origin) is InvalidArgument naming a place: such sources are exported one at a time. A key
// twice in one origin can only be damage (a store whose primary key no longer holds): a repeat
// right after its first (as sorted rows give it) is Rejected, not written, and the dump goes
// on; a repeat further apart is found when its origin ends (the next origin's first Add, or
// Finish), by a pass over the origin's sorted keys, and is InvalidArgument: the output is then
// incomplete, as `--out` is written to a temporary file renamed only on success.
//
// Thread safety: one DumpWriter per thread.
#pragma once

#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "base/spilling_key_index.h"
#include "base/status.h"
#include "extractors/entry.h"

namespace ferry {

class DumpWriter {
 public:
  // `key_memory_budget`: the bytes of an origin's keys held in memory before they spill.
  explicit DumpWriter(std::ostream* out, uint64_t key_memory_budget = kKeyIndexMemoryBudget)
      : out_(out), key_memory_budget_(key_memory_budget) {}
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
  // Fails InvalidArgument when a key of the current origin came twice (IOError when its
  // temporary file fails), and forgets the origin's keys.
  Status CheckKeys();

  std::ostream* out_;
  std::string buffer_;       // the text before one entry's value, written at once
  std::string escaped_;      // a slice of a value, escaped (WriteBody)
  std::string origin_body_;  // the current origin, as its canonical body
  std::string origin_unit_;  // the unit it came from
  bool open_origin_ = false;
  std::set<std::string> seen_origins_;  // bodies of every origin written
  uint64_t key_memory_budget_;
  // Key bodies of the current origin, each with the place it was added at.
  std::unique_ptr<SpillingKeyIndex> keys_;
  std::string last_key_;  // the current origin's last key body, for a repeat next to it
  bool has_last_key_ = false;
  int64_t entries_ = 0;
};

}  // namespace ferry

// Reading one localStorage dump file into entries (the dump source kind's parser).
//
// A dump is one JSON object, either {key: string} (what JSON.stringify(localStorage) gives for
// one origin; entries get origin "") or {origin: {key: string}} (what `ferry export` writes).
// The form is that of the first member whose value is a string (flat) or an object (origin
// form); a member of the other form later on makes the file Corruption, since it is then
// neither. A value that is neither a string nor an object of strings is one bad value: it is
// a problem, not a failure, and the other keys are read.
//
// Strings are decoded by DecodeJsonString, so unpaired UTF-16 surrogates (which simdjson
// refuses) become U+FFFD with Entry::lossy set, on keys and values alike; such an entry's
// exact_*_json keep the escapes, so that `ferry export` of a dump gives the dump back.
//
// Thread safety: a DumpIndex is used by one thread at a time.
#pragma once

#include <simdjson.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/location.h"
#include "base/spilling_key_index.h"
#include "base/status.h"
#include "extractors/common/text_position.h"
#include "extractors/entry.h"

namespace ferry {

struct DumpProblem {
  Location where;
  Status problem;
};

// One dump file as an index of its entries: each is the offsets of its key and value in the
// text (24 bytes), decoded only when Read() asks for it. The index is held in memory up to a
// budget and past it in a temporary file (SpillingKeyIndex): memory is a constant, where it was
// 40 bytes a key, and an Entry of every key ~0.6 KB a key before that (issue 15, docs/design.md
// "Memory"); the text itself may be a mapped file whose pages the index lets go behind it.
class DumpIndex {
 public:
  // `text` (the contents of `path`) must outlive this. `release`, when set, is told the offsets
  // the index has moved past (MappedFile::ReleaseBefore), in each pass over the text.
  DumpIndex(const std::string& path, std::string_view text,
            std::function<void(size_t)> release = {});
  ~DumpIndex();
  DumpIndex(const DumpIndex&) = delete;
  DumpIndex& operator=(const DumpIndex&) = delete;

  // `memory_budget`: the bytes each of the index's two SpillingKeyIndex holds in memory.
  // Indexes the file's entries, in file order, without the ones a later member of the same
  // name overrides (as JSON.parse drops them). Entries get unit = path and user_hint = the
  // file's stem. `origins` keeps only those origins of an origin-form dump (empty keeps all; a
  // flat dump has no origin and is kept whole). A value that is not a string, not decodable or
  // longer than `max_value_bytes` goes to `problem` with its place and is left out. On failure
  // (not JSON, not an object, a mix of forms, a key with a bad escape) returns Corruption
  // naming the place; the index is then unspecified. The file is checked and walked by
  // json_scan.h's scanner (a byte a level of nesting, no index of the text), which names the
  // first byte where a damaged file stops being JSON. Also fails IOError when the index cannot
  // be written to its temporary file. Call once.
  Status Build(const std::vector<std::string>& origins, uint64_t max_value_bytes,
               const std::function<void(DumpProblem)>& problem,
               uint64_t memory_budget = kKeyIndexMemoryBudget);

  // Entries indexed by Build().
  size_t size() const;

  // Decodes entry `i` into *entry (every field set). REQUIRES: Build() returned ok,
  // i < size(), and i greater than the last call's (places are found moving forward). Fails
  // IOError only when the index's temporary file cannot be read back. Without `with_value` the
  // value is left empty and not decoded (nor its lossy flag, exact text or detail set).
  Status Read(size_t i, Entry* entry, bool with_value = true);

 private:
  class Builder;
  struct Slot;
  struct OriginMember;

  const std::string path_;  // a copy: callers pass temporaries (tests) and the index outlives them
  const std::string_view text_;
  const std::string user_hint_;
  const std::function<void(size_t)> release_;
  TextPosition position_;
  // The kept entries by their place in the file (the key: the slot's number, big-endian).
  std::unique_ptr<SpillingKeyIndex> by_place_;
  size_t size_ = 0;
  size_t read_ = 0;  // entries by_place_ has moved past
  std::vector<OriginMember> origins_;
  // Per origin object: the number of the first kept slot in it, which counts the earlier
  // objects of its name that it overrides (origin_overridden_).
  std::vector<uint64_t> origin_first_slot_;
  std::vector<uint32_t> origin_overridden_;
};

// Reads the dump held in `text` (the contents of `path`) whole: appends its entries, in file
// order, to *entries, and its bad values to *problems (DumpIndex, with no cap on a value).
// On failure returns Corruption naming the place; *entries and *problems are then unspecified.
Status ReadDumpText(const std::string& path, const simdjson::padded_string& text,
                    const std::vector<std::string>& origins, std::vector<Entry>* entries,
                    std::vector<DumpProblem>* problems);

}  // namespace ferry

// Extractor: reads a legacy store and yields its entries, never writing to it.
//
// An Extractor is an iterator in the style of leveldb::Iterator: Open() once, then
// Valid()/entry()/Next() until !Valid(), then status() tells whether the end was the real
// end or a failure. Entries come in a stable order (the same source gives the same order
// on every run), grouped by unit (Entry::unit), which resume depends on.
//
// Damage that leaves the rest readable (a torn record, one bad value) is reported through
// the Reporter and reading goes on; damage that makes the result unknowable ends the
// iteration with a non-ok status().
//
// Thread safety: one Extractor is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/location.h"
#include "base/status.h"
#include "extractors/entry.h"

namespace ferry {

// Receives damage that an extractor skipped over, with its place. Never null once set.
using CorruptionReporter = std::function<void(const Location& where, const Status& problem)>;

// The default cap on one value (--max-value-bytes): 256 MiB, 50 times a browser's
// localStorage quota, so that no real store meets it while a hostile one cannot make one entry
// cost gigabytes (docs/design.md, "Memory").
constexpr uint64_t kDefaultMaxValueBytes = uint64_t{256} << 20;

// What a source is: its kind (registry name) and path, plus options from the command line.
struct SourceSpec {
  std::string kind;                  // "dump", "json", "ndjson", "chromium", "firefox", ...
  std::string path;                  // file or folder, as the user gave it (prefix removed)
  std::vector<std::string> origins;  // --origin filters; empty selects every origin
  // A value longer than this (UTF-8 bytes) is damage: reported with its place and skipped
  // (ValueTooLarge), never yielded.
  uint64_t max_value_bytes = kDefaultMaxValueBytes;
};

// The damage reported for a value of `bytes` over `cap`: Corruption, "the value is N bytes,
// over --max-value-bytes (M); entry skipped".
Status ValueTooLarge(uint64_t bytes, uint64_t cap);

// How much input to expect, for the progress bar. Zero means unknown.
struct SizeHint {
  uint64_t bytes = 0;
  uint64_t units = 0;
};

// The units of a source as Open() found them, before any record is read: what `migrate` needs
// to refuse a user id that would put several users' stores under one user.
struct SourceUnits {
  std::vector<std::string> names;       // each unit's Entry::unit, in order
  std::vector<std::string> user_hints;  // each unit's Entry::user_hint ("" when it has none)
  // True when each unit is a whole localStorage of its own (a dump file, a browser profile):
  // two of them are two states of the app whose legacy ids collide, never parts of one whole.
  // False when units are parts of one export (json/ndjson record files, one entity each).
  bool separate_stores = false;
};

class Extractor {
 public:
  Extractor() = default;
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;
  virtual ~Extractor() = default;

  // Checks that the source exists and is what it claims; copies a live store aside.
  // Positions at the first entry. Must be called once, before anything else.
  virtual Status Open() = 0;

  // True while entry() is an entry. REQUIRES: Open() returned ok.
  virtual bool Valid() const = 0;

  // The current entry; valid until the next call to Next(). REQUIRES: Valid()
  virtual const Entry& entry() const = 0;

  // Moves to the next entry. REQUIRES: Valid()
  virtual void Next() = 0;

  // Ok unless iteration stopped because of an error (then !Valid()).
  virtual Status status() const = 0;

  // Expected input size; cheap (file sizes), available after Open().
  virtual SizeHint ExpectedSize() const = 0;

  // The source's units, known after Open() without reading a record; empty names when the
  // kind cannot tell (then nothing is checked before the run).
  virtual SourceUnits Units() const { return {}; }

  // For a source that is no file (a database URL): a digest of what Open() found (its tables,
  // row counts and a hash of the rows), which resume's source fingerprint takes instead of
  // file sizes and times; "" for file sources. Available after Open().
  virtual std::string ContentDigest() const { return ""; }

  // Where damage that was skipped over is reported. Optional; the default drops nothing but
  // logs it.
  void SetReporter(CorruptionReporter reporter) { reporter_ = std::move(reporter); }

 protected:
  void Report(const Location& where, const Status& problem) const;

 private:
  CorruptionReporter reporter_;
};

}  // namespace ferry

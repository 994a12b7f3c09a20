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
#include <optional>
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

  // What a kind whose unit is one file's bytes (a dump) tells of the current entry's unit: a
  // digest of every byte its entries come from (WordHash of the file as read: a changed byte
  // gives another digest), and whether its entries were yielded without their values
  // (SetDeferValues). nullopt for the other kinds: a unit's digest is then over its entries.
  // With `entries_deferred` (SetDeferEntries) the unit was yielded as one placeholder entry
  // (its unit, user hint and file, no key) and neither read nor hashed: `digest` is 0, and the
  // unit's entries are read where it is processed (agent/run/unit_reread.h).
  // REQUIRES: Valid().
  struct UnitBytes {
    uint64_t digest = 0;
    bool values_deferred = false;
    bool entries_deferred = false;
  };
  virtual std::optional<UnitBytes> CurrentUnitBytes() const { return std::nullopt; }

  // Asked as each unit of a kind with CurrentUnitBytes() starts: true yields its entries with
  // their keys, origins and places but empty values, which costs no decoding of the values
  // (a rerun whose unit its digest finds unchanged needs only its keys; one that needs the
  // values reads the unit again). Optional; unset, every value is read.
  void SetDeferValues(std::function<bool()> defer) { defer_values_ = std::move(defer); }
  // Asked likewise, before SetDeferValues' question: true yields the unit as one placeholder
  // entry without opening its file (UnitBytes::entries_deferred): the unit's reading, hash and
  // check of its damage move from the reading thread to the worker that takes the unit, which
  // on a resume or rerun over units found unchanged is where the time went (the reading thread
  // indexed every file while the workers waited; docs/benchmarks.md, "Twelfth session").
  // Optional; unset, entries are read here.
  void SetDeferEntries(std::function<bool()> defer) { defer_entries_ = std::move(defer); }

 protected:
  void Report(const Location& where, const Status& problem) const;
  bool ShouldDeferValues() const { return defer_values_ && defer_values_(); }
  bool ShouldDeferEntries() const { return defer_entries_ && defer_entries_(); }

 private:
  CorruptionReporter reporter_;
  std::function<bool()> defer_values_;
  std::function<bool()> defer_entries_;
};

}  // namespace ferry

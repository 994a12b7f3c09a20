// UnitEntries: the entries of one unit of work (one user's store or dump), which UnitProcessor
// reads several times: once to route them, then once per entity.
//
// They are held in memory up to a budget of bytes; past it each further entry is written to an
// unnamed temporary file (O_TMPFILE under $TMPDIR, 0600: it has no name another user could open
// and is gone with the process however it ends). Only the offset of every 4096th spilled entry
// stays in memory: an entry is found by walking from the nearest of those, or from where the
// last read ended (readers go forward), so a unit of millions of tiny keys costs the budget
// whatever its size, and a spilled value is read back one at a time (docs/design.md, "Memory").
//
// Thread safety: one thread at a time; movable to another (a --jobs worker).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/location.h"
#include "base/result.h"
#include "base/status.h"
#include "extractors/common/scoped_fd.h"
#include "extractors/entry.h"

namespace ferry {

// The bytes of entries a unit holds in memory before it spills to its temporary file.
constexpr uint64_t kUnitMemoryBudget = uint64_t{16} << 20;

// The bytes an entry takes in memory, roughly: the struct and its strings.
uint64_t EntryMemoryBytes(const Entry& entry);

class UnitEntries {
 public:
  explicit UnitEntries(uint64_t memory_budget = kUnitMemoryBudget)
      : memory_budget_(memory_budget) {}
  // All of `entries` in memory, whatever their size (tests, small units).
  explicit UnitEntries(std::vector<Entry> entries);
  UnitEntries(UnitEntries&&) = default;
  UnitEntries& operator=(UnitEntries&&) = default;
  UnitEntries(const UnitEntries&) = delete;
  UnitEntries& operator=(const UnitEntries&) = delete;

  // Appends a copy of `entry`. Fails (IOError) only when the temporary file cannot be created
  // or written; the unit is then not whole and must not be loaded.
  Status Add(const Entry& entry);

  size_t size() const { return memory_.size() + spilled_; }
  bool empty() const { return size() == 0; }
  // The first entry's unit and user hint (the same for every entry); "" when empty.
  const std::string& unit() const { return unit_; }
  const std::string& user_hint() const { return user_hint_; }
  // The UTF-8 bytes of every value, for progress.
  uint64_t value_bytes() const { return value_bytes_; }
  // How many entries went to the temporary file.
  size_t spilled() const { return spilled_; }

  // Entry `i` (REQUIRES: i < size()): a pointer into this object when it is held in memory
  // (valid while this object lives), else `*scratch` filled from the temporary file. Without
  // `with_value` a spilled entry's value is left empty (routing needs only its key). Reading
  // the entries in order costs one pass over the file; a jump back costs a walk of at most
  // kSpillStride entries' lengths.
  Result<const Entry*> Get(size_t i, Entry* scratch, bool with_value = true) const;

  // Every how many spilled entries an offset is kept.
  static constexpr size_t kSpillStride = 4096;

  // What the extractor told of the unit's bytes (Extractor::CurrentUnitBytes): their digest,
  // which the unit's digest then takes in place of its entries (agent/run/unit_digest.h), and
  // whether the entries were read without their values. Such entries serve what needs only
  // keys (routing, counting, a user id from the file name); Reload() reads the unit whole.
  using Reloader = std::function<Result<UnitEntries>()>;
  void SetSourceBytes(uint64_t digest, bool values_deferred, Reloader reload) {
    bytes_digest_ = digest;
    values_deferred_ = values_deferred;
    reload_ = std::move(reload);
  }
  const std::optional<uint64_t>& bytes_digest() const { return bytes_digest_; }
  bool values_deferred() const { return values_deferred_; }
  // The unit read again with its values, from the same bytes (the same digest, else IOError:
  // the file changed meanwhile). REQUIRES: values_deferred().
  Result<UnitEntries> Reload() const;

  // A placeholder unit (Extractor::UnitBytes::entries_deferred): one entry naming the unit, its
  // user hint and file, and a reader that reads the unit's entries (keys only, as with
  // values_deferred), recording the damage its file holds with the function it is given. The
  // reader runs where the unit is processed (a --jobs worker), not on the reading thread.
  using ProblemRecorder = std::function<Status(const Location&, const Status&)>;
  using EntriesReader = std::function<Result<UnitEntries>(const ProblemRecorder&)>;
  void SetEntriesReader(EntriesReader read) { read_entries_ = std::move(read); }
  bool entries_deferred() const { return static_cast<bool>(read_entries_); }
  // REQUIRES: entries_deferred().
  const EntriesReader& entries_reader() const { return read_entries_; }

 private:
  uint64_t memory_budget_ = kUnitMemoryBudget;
  uint64_t memory_bytes_ = 0;
  std::vector<Entry> memory_;
  size_t spilled_ = 0;             // entries in file_, in order after memory_
  std::vector<uint64_t> strides_;  // offset in file_ of spilled entry k * kSpillStride
  // Where the last Get ended: spilled entry `cursor_index_` starts at `cursor_offset_`, and
  // the one before it (read last, perhaps read again with its value) at `last_offset_`.
  mutable size_t cursor_index_ = 0;
  mutable uint64_t cursor_offset_ = 0;
  mutable uint64_t last_offset_ = 0;
  ScopedFd file_;
  uint64_t file_end_ = 0;  // where the next entry goes (past what write_buffer_ holds)
  // Small entries are written and read a block at a time: a unit of millions of tiny keys
  // would otherwise cost several system calls a key on every pass. Reading flushes.
  mutable std::string write_buffer_;  // the bytes before file_end_ not yet written
  mutable std::string read_buffer_;   // a copy of the file from read_buffer_at_
  mutable uint64_t read_buffer_at_ = 0;

  Status FlushWrites() const;
  // Appends `size` bytes to the file at file_end_ (through write_buffer_ when small).
  Status Append(const char* data, size_t size);
  Status Read(char* data, size_t size, uint64_t offset) const;
  // The offset of spilled entry `j`, walked from the cursor or the nearest kept offset.
  Result<uint64_t> SpilledOffset(size_t j) const;
  std::string unit_;
  std::string user_hint_;
  uint64_t value_bytes_ = 0;
  std::optional<uint64_t> bytes_digest_;  // SetSourceBytes
  bool values_deferred_ = false;
  Reloader reload_;
  EntriesReader read_entries_;  // SetEntriesReader
};

}  // namespace ferry

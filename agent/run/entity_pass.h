// One entity of one unit, inside UnitProcessor: its records are read from the unit's entries,
// checked, mapped and gathered into batches, each written through agent/run/commit_batch.h.
// entity_pass_scan.cc reads entries into records; entity_pass.cc maps, rejects and flushes.
//
// Thread safety: used by one UnitProcessor on one thread.
#pragma once

#include <simdjson.h>

#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/run/assign_identities.h"
#include "agent/run/held_record_file.h"
#include "agent/run/unit_processor.h"
#include "agent/run/written_keys.h"
#include "base/spilling_id_map.h"
#include "transformers/json_records.h"
#include "transformers/records_of_value.h"

namespace ferry {

// True when a column of `entity` references the entity itself (tasks.parent_id): it is then
// loaded in two passes (EntityPass::LoadDeferred).
inline bool ReferencesItself(const EntityMapping& entity) {
  for (const ColumnMapping& column : entity.columns) {
    if (column.references == entity.name) return true;
  }
  return false;
}

// The memory budget of an entity pass's duplicate check: kIdMapMemoryBudget, or (a test hook,
// so that a test sees it spill with a small unit) FERRY_TEST_ID_CHECK_BUDGET bytes.
inline uint64_t IdCheckBudget() {
  const char* text = std::getenv("FERRY_TEST_ID_CHECK_BUDGET");
  uint64_t budget = text != nullptr ? std::strtoull(text, nullptr, 10) : 0;
  return budget > 0 ? budget : kIdMapMemoryBudget;
}

// One entity of one unit: records are gathered into a batch, then written together.
class UnitProcessor::EntityPass {
 public:
  EntityPass(UnitProcessor* owner, const EntityMapping& entity, const std::string& user_id)
      : owner_(owner),
        entity_(entity),
        user_id_(user_id),
        counts_(owner->report_->Entity(entity.name)),
        is_parent_(IsParent()) {
    if (owner->user_fresh_) written_keys_.PresumeFresh();
  }

  // Reads the entry's records one by one (transformers/json_records.h), so that a value the
  // parser refuses stays with its record; the whole value as one reject only when its records
  // cannot be told apart. `spent_value`, when given, is `entry.value`'s own storage, which
  // the pass owns: it is freed once the value is parsed whole.
  Status AddEntry(const Entry& entry, const std::string& key_suffix,
                  std::string* spent_value = nullptr);

  // AddEntry for an entry read back from the unit's temporary file: the pass holds it while
  // its records wait in the batch, and flushes the batch first when the entries it holds
  // would pass the unit's memory budget (so that a batch of large values is written before
  // the next is read).
  Status AddSpilledEntry(std::unique_ptr<Entry> entry, const std::string& key_suffix);

  Status Flush();

  // The second pass of an entity that references itself (tasks.parent_id): loads the records
  // held back because their own-entity reference named a record not met before them (a
  // forward reference), parents before children, once every other record is loaded, so that
  // each reference resolves through the id map as a reference to another entity does. Those
  // still unresolved (a parent that is not there, a cycle) are rejected, or get NULL, as the
  // column's on_missing says. REQUIRES: Flush() was called after the last entry.
  // (entity_pass_deferred.cc)
  Status LoadDeferred();

  // Frees the spilled entries no pending record points to (all but the one being read).
  void ReleaseHeldEntries();
  // When no record waits in the batch (those read were held for the second pass, rejected or
  // flushed): frees the parsers and spilled entries, which nothing points to. Without it an
  // entity whose records were all held kept a parser per entry until the next batch (430 MiB
  // for 50,000 held records of a key each).
  void ReleaseIfNothingPending();

  // Frees what only reading needs (duplicate ids, written keys), once the entity is read and
  // its batches are written or held: the pass then lives on only for its held batches'
  // outcomes (agent/run/unit_writes.h).
  void ReleaseIndexes() {
    first_index_.reset();
    written_keys_ = WrittenKeys();
  }

 private:
  using Pending = PendingRecord;

  // One record of a scanned value: rejected when too deep, listed (or with --strict-unicode
  // rejected) when an unpaired surrogate in it became U+FFFD, else added.
  Status AddScannedRecord(const RecordRef& ref, const ScannedRecord& scan, const Entry& entry,
                          const std::string& key_suffix);

  // Counts a record that is not read further and rejects it with `reason`.
  Status RejectUnreadRecord(const Entry& entry, const ScannedRecord& scan, std::string reason);

  // The value read whole, as one record's worth of reject when it is not JSON or not of the
  // entity's shape.
  Status AddWholeEntry(const Entry& entry, const std::string& key_suffix, SourceShape shape);

  // A `shape: text` value: one record, the value's text as a JSON string, never parsed.
  Status AddTextEntry(const Entry& entry, const std::string& key_suffix);

  ConflictPolicy Policy() const {
    return entity_.conflict.value_or(owner_->options_.conflict.value_or(
        owner_->mapping_.conflict.value_or(ConflictPolicy::kSkip)));
  }

  bool IsParent() const {
    if (ReferencesItself(entity_)) return true;
    for (const EntityMapping& other : owner_->mapping_.entities) {
      if (std::find(other.parents.begin(), other.parents.end(), entity_.name) !=
          other.parents.end()) {
        return true;
      }
    }
    return false;
  }

  simdjson::dom::parser& NextParser() {
    auto& pool = owner_->parsers_;
    if (parsers_used_ == pool.size()) {
      pool.push_back(std::make_unique<simdjson::dom::parser>());
    }
    return *pool[parsers_used_++];
  }

  // Remembers where a parent record was rejected, for its children's rejects.
  void NoteRejected(const std::string& legacy_id, const Location& where) {
    if (is_parent_) owner_->rejected_parents_[entity_.name].emplace(legacy_id, where.ToString());
  }

  Status RejectRecord(Location where, std::string pointer, std::string schema_location,
                      std::string reason, simdjson::dom::element record);

  // How many examples of each kind the report held before a batch.
  struct ExampleMarks {
    size_t inserted, updated, skipped, conflicts;
  };
  ExampleMarks MarkExamples() const {
    return {counts_.examples_inserted.size(), counts_.examples_updated.size(),
            counts_.examples_skipped.size(), counts_.examples_conflicts.size()};
  }
  // When the users come from the source (many units), a legacy id alone ("settings") does not
  // say whose record an example is: the batch's new examples get " of USER".
  void NameUserInExamples(const ExampleMarks& marks) {
    if (!owner_->options_.user_id.empty()) return;
    auto name = [this](std::string* id) {
      if (*id != user_id_) *id += " of " + user_id_;
    };
    auto from = [&name](std::vector<std::string>* ids, size_t mark) {
      for (size_t i = mark; i < ids->size(); ++i) name(&(*ids)[i]);
    };
    from(&counts_.examples_inserted, marks.inserted);
    from(&counts_.examples_updated, marks.updated);
    from(&counts_.examples_skipped, marks.skipped);
    for (size_t i = marks.conflicts; i < counts_.examples_conflicts.size(); ++i) {
      name(&counts_.examples_conflicts[i].legacy_id);
    }
  }

  // On a resumed run: drops the pending records the interrupted session committed (at or
  // before this unit and entity's checkpoint of that run), counting them; they are neither
  // looked up nor written again.
  Status DropCommittedOnResume();

  Status AddRecord(const RecordRef& ref, const Entry& entry, const std::string& key_suffix);

  // A record held for the second pass (LoadDeferred): its text, identity and place.
  struct Deferred {
    std::string json;
    std::string legacy_id;
    std::vector<std::string> parents;  // the legacy ids its own-entity references name
    int64_t time_ms = -1;
    Location where;
    const Entry* header = nullptr;  // its entry without the value (deferred_headers_)
    std::string key_suffix;
  };
  // True (and the record held in deferred_) when the record references its own entity by a
  // legacy id not met before it in this unit, or met but held itself.
  Result<bool> DeferForwardReference(const Pending& pending, const Entry& entry);
  // Takes a rejected record's id out of the duplicate check (nothing once it is released).
  Status ForgetId(const std::string& legacy_id) {
    return first_index_ ? first_index_->Erase(legacy_id) : Status::OK();
  }
  // Loads `records`, in order, in batches.
  Status LoadHeld(std::vector<Deferred> records);
  // Moves the held records to held_file_ (past their memory budget).
  Status SpillDeferred();
  // LoadDeferred once the held records are in held_file_: rounds over the file (see there).
  Status LoadDeferredInRounds();
  Result<std::string> LegacyIdOf(const RecordRef& ref, const Entry& entry,
                                 const std::string& key_suffix) const;

  UnitProcessor* owner_;
  const EntityMapping& entity_;
  const std::string& user_id_;
  // Whether the id map held nothing of this entity and user when the pass's first batch was
  // assigned (IdentityContext::entity_fresh); nullopt until then. The unit holds the user's
  // lock, so from then on the id map holds of it only what this pass writes.
  std::optional<bool> entity_fresh_;
  EntityCounts& counts_;
  bool is_parent_;
  std::vector<Pending> pending_;
  size_t parsers_used_ = 0;
  bool in_entry_ = false;
  // The entry being read: its records (0 when not an array) and bytes, for progress.
  size_t entry_records_ = 0;
  uint64_t entry_bytes_ = 0;
  // Legacy id -> index of its first record: the duplicate check, bounded whatever the unit's
  // size (base/spilling_id_map.h); null once released.
  std::unique_ptr<SpillingIdMap> first_index_ = std::make_unique<SpillingIdMap>(IdCheckBudget());
  // Records of this entity met so far in this unit: the checkpoint's position. The same source
  // gives the same count at the same record, and each batch's is greater than the last's.
  int64_t records_seen_ = 0;
  // The checkpoint position the resumed run committed through for this unit and entity; -1:
  // not read yet, 0: none.
  int64_t committed_through_ = -1;
  WrittenKeys written_keys_;  // spares a first load the read-back (agent/run/written_keys.h)
  // Spilled entries that pending records point to, their values' bytes, and the entry being
  // read (kept when a batch is flushed in the middle of its records).
  std::vector<std::unique_ptr<Entry>> held_;
  uint64_t held_bytes_ = 0;
  const Entry* current_entry_ = nullptr;
  // The second pass's records, the entries they came from (values dropped) and its parser.
  std::vector<Deferred> deferred_;
  uint64_t deferred_bytes_ = 0;  // what deferred_ and deferred_headers_ hold, about
  // Their legacy ids: a child of one waits too (a set: the values mean nothing); bounded.
  std::unique_ptr<SpillingIdMap> deferred_ids_ = std::make_unique<SpillingIdMap>(IdCheckBudget());
  std::deque<Entry> deferred_headers_;
  // Past IdCheckBudget() of held records: all of them, in order, on disk (deferred_ empty).
  std::unique_ptr<HeldRecordFile> held_file_;
  std::unique_ptr<simdjson::dom::parser> deferred_parser_;
};

}  // namespace ferry

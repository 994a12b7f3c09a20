// FindExistingRows: for each record of a batch, the row the target holds for it — what every
// conflict policy decides against (agent/run/commit_batch.h), instead of ferry's memory of
// what it once wrote.
//
//   - under the row's primary key: the record's own row (its ULID from the id map, or a key
//     made of the record's fields). A record with a fresh ULID in its key has none, and costs
//     no read.
//   - under a unique key of the mapping (`unique`): a row written by hand or by another tool,
//     or the one a run whose id map was lost wrote. The record adopts it: it is written (or
//     kept) under that row's primary key, and its children reference that row.
//   - neither: the record's row is not there (new, or deleted since): it is written.
// A record whose keys lead to two different rows cannot be written without breaking a key: it
// gets a conflict, the reason of its reject should the policy write it (BatchKeyConflicts
// finds the same within a batch).
//
// One Loader::FetchRows per key of the table and batch, and only for the records that need
// it: a rerun reads each known row once; a first load reads nothing back when the table held
// no row of the user when the unit began (agent/run/written_keys.h), else by each unique key
// once per batch.
//
// Thread safety: pure but for the loader's reads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/run/assign_identities.h"
#include "agent/run/written_keys.h"
#include "base/status.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

struct ExistingRow {
  std::optional<Row> row;  // the target's row for the record, if it has one
  // The row is not one the id map ties to the record: found under a unique key with another
  // primary key than the record's, or under the record's own key while the id map has no
  // entry for it.
  bool adopted = false;
  // Not empty: another row holds one of the record's unique keys, so its row (`row`, found
  // under its primary key) cannot be rewritten; the reason of its reject if the policy writes.
  std::string conflict;
};

// Fills `out` (one per record, same order). Unless `whole_rows` (what overwrite and merge
// compare), only the key and ULID columns of each row are read, the others left null: all
// that skip needs, at a fraction of the transfer. `written` (the unit's, for this entity; may
// be null: every key is read) spares the reads of keys the target cannot hold; the caller
// tells it the batch's keys (WrittenKeys::Remember) before the batch is written. Fails on a
// loader failure.
Status FindExistingRows(const EntityMapping& entity, Loader* loader, bool whole_rows,
                        const std::vector<AssignedRecord>& records, WrittenKeys* written,
                        std::vector<ExistingRow>* out);

// Makes `record` the adopter of `existing` (a row of entity's table): its primary-key cells and
// ULID become the row's, and its identity is marked adopted.
void AdoptRow(const EntityMapping& entity, const Row& existing, AssignedRecord* record);

// For each record that the batch writes (writes[i]), the reason it cannot be, or "": a key of
// its row (primary, or a unique key of the mapping) that an earlier record of the batch
// writes too. Two records of one batch cannot both write one row; the later is rejected.
std::vector<std::string> BatchKeyConflicts(const EntityMapping& entity,
                                           const std::vector<AssignedRecord>& records,
                                           const std::vector<bool>& writes);

}  // namespace ferry

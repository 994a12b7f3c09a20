// AssignIdentities: the first half of loading a batch of one entity — who each record is.
//
// For each pending record: its ULID (the id map's from an earlier run, else a new one from its
// creation time), its row (MapRecord, references rewritten to the parents' ULIDs), and the
// row's content hash. A record that cannot be mapped becomes a reject and is left out.
// The second half, agent/run/commit_batch.h, decides what happens to each row in the target.
//
// Thread safety: one call at a time per UnitProcessor (it uses the processor's state).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/run/parent_ulids.h"
#include "base/location.h"
#include "base/result.h"
#include "base/row.h"
#include "extractors/entry.h"
#include "loaders/loader.h"
#include "transformers/map_record.h"
#include "transformers/mapping.h"
#include "transformers/reject.h"
#include "transformers/ulid.h"

namespace ferry {

// A record that passed its schema and has a legacy id, waiting for its batch.
struct PendingRecord {
  simdjson::dom::element record;  // valid while its parser is not reused
  std::string legacy_id;
  int64_t time_ms = -1;  // -1: no creation time; the ULID takes the current time
  Location where;
  const Entry* entry = nullptr;
  std::string key_suffix;
  int64_t position = 0;  // the checkpoint position of this record (Checkpoint::position)
};

// A record with its identity and its row.
struct AssignedRecord {
  IdentityRecord identity;             // legacy id, ULID (may be empty), content hash
  std::optional<KnownIdentity> known;  // what the id map knew of it before this run
  Row row;
  Location where;        // where the record came from, for a reject found later
  int64_t position = 0;  // its checkpoint position (PendingRecord::position)
};

struct IdentityContext {
  const EntityMapping* entity = nullptr;
  const std::string* user_id = nullptr;
  Loader* loader = nullptr;
  UlidGenerator* ulids = nullptr;
  ParentUlids* parents = nullptr;  // read for references; this entity's ULIDs are added
  bool is_parent = false;          // another entity references this one
  const std::unordered_map<std::string, std::string>* store = nullptr;  // $store.NAME values
  const RejectedReference* rejected = nullptr;  // where a rejected parent was; may be null
  // The id map held nothing of the user when the unit began (agent/run/user_probe.h): it holds
  // only what this unit wrote, which the unit knows (its parents), so it is not asked.
  bool user_fresh = false;
  // The same for this entity alone (the user has rows of others: a database's tables before
  // this one): the id map holds only what this unit wrote of it, so neither this batch's own
  // legacy ids nor its references to its own entity are asked; other parents are.
  bool entity_fresh = false;
  // Takes a record's reject (its place complete); non-ok stops the run.
  std::function<Status(const PendingRecord&, Reject)> reject;
};

// The assigned records of `pending`, in order, without the rejected ones. Fails on a loader
// failure, a ULID that cannot be made, or a reject the run must stop for.
Result<std::vector<AssignedRecord>> AssignIdentities(const IdentityContext& context,
                                                     const std::vector<PendingRecord>& pending);

}  // namespace ferry

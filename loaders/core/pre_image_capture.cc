#include "loaders/core/pre_image_capture.h"

#include <optional>
#include <string>
#include <vector>

#include "base/fault_point.h"
#include "loaders/core/pre_image.h"
#include "loaders/core/rollback.h"

namespace ferry {

namespace {

// What the id map holds of each identity of the batch (nullopt: nothing, or not read).
using KnownBefore = std::vector<std::optional<KnownIdentity>>;

// Whether the batch's records must be on disk before it commits (see the header).
struct Durability {
  bool needed = false;
};

bool HasIdentities(const WriteBatch& batch) { return batch.identities.size() == batch.rows.size(); }

// Whether the id map's row of identity i was written by this run: then neither it nor its
// row gets a record (the run's first record of each came earlier, or was derivable).
bool WrittenByRun(const KnownBefore& known, size_t i, const std::string& run_id) {
  return i < known.size() && known[i] && known[i]->run_id == run_id;
}

// The same for row i, which is identity i's only when the batch pairs them.
bool RowWrittenByRun(const WriteBatch& batch, const KnownBefore& known, size_t i,
                     const std::string& run_id) {
  return HasIdentities(batch) && WrittenByRun(known, i, run_id);
}

// Whether row i of the batch may already be in the target. A row of an identity the id map
// did not know, and not adopted, is one the client proved absent (agent/run/existing_rows.h):
// the batch inserts it plainly, so its pre-image is "absent" without a read, and a first load
// reads nothing back.
bool MayExist(const WriteBatch& batch, size_t i) {
  if (!HasIdentities(batch)) return true;
  return batch.identities[i].known || batch.identities[i].adopted;
}

// Whether a rollback finds row i without its record: the id map's row names it (its key is made
// of that row's ULID, user or legacy id, in the table the rollback looks in for the batch's
// entity: the same KeyFromIdentity as DeriveLostPreImages', loaders/core/rollback.h). Compared
// with the row's own key cells, in place: on a first load this is asked of every row, and a
// copy of each key cost an allocation or two per row. `derived` is scratch, reused.
bool DerivableInsert(const WriteBatch& batch, size_t i, const std::vector<int>& key_columns,
                     Row* derived) {
  if (!HasIdentities(batch) || batch.table->entity != batch.entity) return false;
  const IdentityRecord& identity = batch.identities[i];
  if (!KeyFromIdentity(*batch.table, batch.user_id, identity.legacy_id, identity.ulid, derived) ||
      derived->cells.size() != key_columns.size()) {
    return false;
  }
  const Row& row = batch.rows[i];
  for (size_t k = 0; k < key_columns.size(); ++k) {
    if (!(derived->cells[k] == row.cells[key_columns[k]])) return false;
  }
  return true;
}

Status ReadIdentities(LoaderBackend& backend, const WriteBatch& batch, KnownBefore* known) {
  // Only the identities the id map knew are read back (for the run that wrote each).
  std::vector<std::string> known_ids;
  std::vector<size_t> at;
  for (size_t i = 0; i < batch.identities.size(); ++i) {
    if (!batch.identities[i].known) continue;
    known_ids.push_back(batch.identities[i].legacy_id);
    at.push_back(i);
  }
  known->assign(batch.identities.size(), std::nullopt);
  if (known_ids.empty()) return Status::OK();
  std::vector<std::optional<KnownIdentity>> read(known_ids.size());
  FERRY_RETURN_IF_ERROR(backend.LookupIdentities(batch.entity, batch.user_id, known_ids, &read));
  for (size_t k = 0; k < at.size(); ++k) (*known)[at[k]] = std::move(read[k]);
  return Status::OK();
}

// `derived` (one per row) marks each plain insert keyed by its id-map ULID: neither the row nor
// its id-map row gets a record (AppendIdentities reads it).
Status AppendRows(LoaderBackend& backend, const WriteBatch& batch, const KnownBefore& known,
                  const std::string& run_id, PreImageSink& sink, Durability* durability,
                  std::vector<bool>* derived) {
  derived->assign(batch.rows.size(), false);
  const TableDef& table = *batch.table;
  std::vector<int> key_columns;
  for (const std::string& name : table.primary_key) {
    int index = table.ColumnIndex(name);
    if (index < 0) return Status::Internal("table " + table.name + " has no key column " + name);
    key_columns.push_back(index);
  }
  std::vector<Row> keys(batch.rows.size());
  std::vector<Row> to_read;
  Row derived_key;
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    if (RowWrittenByRun(batch, known, i, run_id)) continue;
    // A plain insert of a row the id map's new row names gets no record at all: every rollback
    // derives its delete from that id-map row (DeriveRowPreImages). On a first load that is
    // every row, about half of what the archive's pre-image section held.
    if (!MayExist(batch, i) && DerivableInsert(batch, i, key_columns, &derived_key)) {
      (*derived)[i] = true;
      continue;
    }
    for (int index : key_columns) keys[i].cells.push_back(batch.rows[i].cells[index]);
    if (MayExist(batch, i)) to_read.push_back(keys[i]);
  }
  std::vector<std::optional<Row>> read(to_read.size());
  if (!to_read.empty()) FERRY_RETURN_IF_ERROR(backend.FetchRows(table, to_read, &read));
  PreImage image;
  image.kind = PreImage::Kind::kRow;
  image.table = table.name;
  size_t next_read = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (RowWrittenByRun(batch, known, i, run_id) || (*derived)[i]) continue;
    std::optional<Row> before;
    if (MayExist(batch, i)) before = std::move(read[next_read++]);
    const bool derivable = DerivableInsert(batch, i, key_columns, &derived_key);
    if (before || !derivable) durability->needed = true;
    image.key = std::move(keys[i]);
    image.present = before.has_value();
    image.row = image.present ? std::move(*before) : Row();
    FERRY_RETURN_IF_ERROR(sink.Append(EncodePreImage(image)));
  }
  return Status::OK();
}

// An identity new to the id map whose row is `derived` gets no record either: a rollback derives
// the id-map row's delete from the id map itself (its run id), as it does its row's
// (DeriveLostPreImages), and a later run that changed it is found by the checkpoints it left
// on the same user (CheckNoLaterLoad). On a first load that is every identity: about a million
// records fewer at 1M tasks.
Status AppendIdentities(const WriteBatch& batch, const KnownBefore& known,
                        const std::string& run_id, PreImageSink& sink, Durability* durability,
                        const std::vector<bool>& derived) {
  PreImage image;
  image.kind = PreImage::Kind::kIdentity;
  image.user_id = batch.user_id;
  image.entity = batch.entity;
  for (size_t i = 0; i < batch.identities.size(); ++i) {
    if (WrittenByRun(known, i, run_id)) continue;
    const std::optional<KnownIdentity>& before = known[i];
    if (!before && i < derived.size() && derived[i]) continue;
    image.legacy_id = batch.identities[i].legacy_id;
    image.present = before.has_value();
    image.ulid = image.present ? before->ulid : "";
    image.content_hash = image.present ? before->content_hash : "";
    image.run_id = image.present ? before->run_id : "";
    if (image.present) durability->needed = true;
    FERRY_RETURN_IF_ERROR(sink.Append(EncodePreImage(image)));
  }
  return Status::OK();
}

Status AppendCheckpoint(LoaderBackend& backend, const WriteBatch& batch, const std::string& run_id,
                        PreImageSink& sink, Durability* durability, CheckpointsBefore* before) {
  const Checkpoint& checkpoint = batch.checkpoint;
  std::optional<StoredCheckpoint> stored;
  bool needed = true;
  if (before != nullptr) {
    FERRY_RETURN_IF_ERROR(before->Find(backend, run_id, batch.user_id, checkpoint.entity,
                                       checkpoint.unit, &needed, &stored));
  } else {
    FERRY_RETURN_IF_ERROR(
        backend.ReadCheckpoint(batch.user_id, checkpoint.entity, checkpoint.unit, &stored));
    needed = !(stored && stored->run_id == run_id);  // the run's own: recorded earlier
  }
  if (!needed) return Status::OK();
  PreImage image;
  image.kind = PreImage::Kind::kCheckpoint;
  image.user_id = batch.user_id;
  image.entity = checkpoint.entity;
  image.unit = checkpoint.unit;
  image.present = stored.has_value();
  if (stored) {
    image.position = stored->position;
    image.run_id = stored->run_id;
    durability->needed = true;
  }
  FERRY_RETURN_IF_ERROR(sink.Append(EncodePreImage(image)));
  if (before != nullptr) before->Recorded(batch.user_id, checkpoint.entity, checkpoint.unit);
  return Status::OK();
}

}  // namespace

Status CapturePreImages(LoaderBackend& backend, const WriteBatch& batch, const std::string& run_id,
                        PreImageSink& sink, bool* flush_needed, CheckpointsBefore* before) {
  KnownBefore known;
  FERRY_RETURN_IF_ERROR(ReadIdentities(backend, batch, &known));
  Durability durability;
  std::vector<bool> derived;
  FERRY_RETURN_IF_ERROR(AppendRows(backend, batch, known, run_id, sink, &durability, &derived));
  FERRY_RETURN_IF_ERROR(AppendIdentities(batch, known, run_id, sink, &durability, derived));
  FERRY_RETURN_IF_ERROR(AppendCheckpoint(backend, batch, run_id, sink, &durability, before));
  if (flush_needed != nullptr) {
    // Written together with other batches: the caller syncs once for all of them.
    *flush_needed = *flush_needed || durability.needed;
    return Status::OK();
  }
  if (!durability.needed) return Status::OK();
  FERRY_RETURN_IF_ERROR(sink.Flush());
  // A kill here leaves pre-images of a batch that never committed: harmless, they equal the
  // target as it stays (tests/e2e/rollback_test.cc).
  FaultPoint("preimage.after_flush");
  return Status::OK();
}

}  // namespace ferry

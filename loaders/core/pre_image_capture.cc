#include "loaders/core/pre_image_capture.h"

#include <optional>
#include <string>
#include <vector>

#include "base/fault_point.h"
#include "loaders/core/pre_image.h"

namespace ferry {

namespace {

// Whether row i of the batch may already be in the target. A row of an identity the id map
// did not know, and not adopted, is one the client proved absent (agent/run/existing_rows.h):
// the batch inserts it plainly, so its pre-image is "absent" without a read, and a first load
// reads nothing back.
bool MayExist(const WriteBatch& batch, size_t i) {
  if (batch.identities.size() != batch.rows.size()) return true;
  return batch.identities[i].known || batch.identities[i].adopted;
}

Status AppendRows(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink) {
  const TableDef& table = *batch.table;
  std::vector<int> key_columns;
  for (const std::string& name : table.primary_key) {
    int index = table.ColumnIndex(name);
    if (index < 0) return Status::Internal("table " + table.name + " has no key column " + name);
    key_columns.push_back(index);
  }
  std::vector<Row> keys(batch.rows.size());
  std::vector<Row> to_read;
  for (size_t i = 0; i < batch.rows.size(); ++i) {
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
    std::optional<Row> before;
    if (MayExist(batch, i)) before = std::move(read[next_read++]);
    image.key = std::move(keys[i]);
    image.present = before.has_value();
    image.row = image.present ? std::move(*before) : Row();
    FERRY_RETURN_IF_ERROR(sink.Append(EncodePreImage(image)));
  }
  return Status::OK();
}

Status AppendIdentities(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink) {
  // Only the identities the id map knew are read back (for the run that wrote each).
  std::vector<std::string> known_ids;
  for (const IdentityRecord& identity : batch.identities) {
    if (identity.known) known_ids.push_back(identity.legacy_id);
  }
  std::vector<std::optional<KnownIdentity>> known(known_ids.size());
  if (!known_ids.empty()) {
    FERRY_RETURN_IF_ERROR(backend.LookupIdentities(batch.entity, batch.user_id, known_ids, &known));
  }
  PreImage image;
  image.kind = PreImage::Kind::kIdentity;
  image.user_id = batch.user_id;
  image.entity = batch.entity;
  size_t next_known = 0;
  for (const IdentityRecord& identity : batch.identities) {
    std::optional<KnownIdentity> before;
    if (identity.known) before = std::move(known[next_known++]);
    image.legacy_id = identity.legacy_id;
    image.present = before.has_value();
    image.ulid = image.present ? before->ulid : "";
    image.content_hash = image.present ? before->content_hash : "";
    image.run_id = image.present ? before->run_id : "";
    FERRY_RETURN_IF_ERROR(sink.Append(EncodePreImage(image)));
  }
  return Status::OK();
}

Status AppendCheckpoint(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink) {
  const Checkpoint& checkpoint = batch.checkpoint;
  std::optional<StoredCheckpoint> stored;
  FERRY_RETURN_IF_ERROR(
      backend.ReadCheckpoint(batch.user_id, checkpoint.entity, checkpoint.unit, &stored));
  PreImage image;
  image.kind = PreImage::Kind::kCheckpoint;
  image.user_id = batch.user_id;
  image.entity = checkpoint.entity;
  image.unit = checkpoint.unit;
  image.present = stored.has_value();
  if (stored) {
    image.position = stored->position;
    image.run_id = stored->run_id;
  }
  return sink.Append(EncodePreImage(image));
}

}  // namespace

Status CapturePreImages(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink,
                        bool flush) {
  FERRY_RETURN_IF_ERROR(AppendRows(backend, batch, sink));
  FERRY_RETURN_IF_ERROR(AppendIdentities(backend, batch, sink));
  FERRY_RETURN_IF_ERROR(AppendCheckpoint(backend, batch, sink));
  if (flush) FERRY_RETURN_IF_ERROR(sink.Flush());
  // A kill here leaves pre-images of a batch that never committed: harmless, they equal the
  // target as it stays (tests/e2e/rollback_test.cc).
  FaultPoint("preimage.after_flush");
  return Status::OK();
}

}  // namespace ferry

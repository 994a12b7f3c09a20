#include "loaders/core/pre_image_capture.h"

#include <optional>
#include <string>
#include <vector>

#include "base/fault_point.h"
#include "loaders/core/pre_image.h"

namespace ferry {

namespace {

Status AppendRows(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink) {
  const TableDef& table = *batch.table;
  std::vector<int> key_columns;
  for (const std::string& name : table.primary_key) {
    int index = table.ColumnIndex(name);
    if (index < 0) return Status::Internal("table " + table.name + " has no key column " + name);
    key_columns.push_back(index);
  }
  std::vector<Row> keys(batch.rows.size());
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    for (int index : key_columns) keys[i].cells.push_back(batch.rows[i].cells[index]);
  }
  std::vector<std::optional<Row>> before(keys.size());
  if (!keys.empty()) FERRY_RETURN_IF_ERROR(backend.FetchRows(table, keys, &before));
  PreImage image;
  image.kind = PreImage::Kind::kRow;
  image.table = table.name;
  for (size_t i = 0; i < keys.size(); ++i) {
    image.key = std::move(keys[i]);
    image.present = before[i].has_value();
    image.row = image.present ? std::move(*before[i]) : Row();
    FERRY_RETURN_IF_ERROR(sink.Append(EncodePreImage(image)));
  }
  return Status::OK();
}

Status AppendIdentities(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink) {
  std::vector<std::string> legacy_ids;
  for (const IdentityRecord& identity : batch.identities) legacy_ids.push_back(identity.legacy_id);
  std::vector<std::optional<KnownIdentity>> known(legacy_ids.size());
  if (legacy_ids.empty()) return Status::OK();
  FERRY_RETURN_IF_ERROR(backend.LookupIdentities(batch.entity, batch.user_id, legacy_ids, &known));
  PreImage image;
  image.kind = PreImage::Kind::kIdentity;
  image.user_id = batch.user_id;
  image.entity = batch.entity;
  for (size_t i = 0; i < legacy_ids.size(); ++i) {
    image.legacy_id = legacy_ids[i];
    image.present = known[i].has_value();
    image.ulid = image.present ? known[i]->ulid : "";
    image.content_hash = image.present ? known[i]->content_hash : "";
    image.run_id = image.present ? known[i]->run_id : "";
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

Status CapturePreImages(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink) {
  FERRY_RETURN_IF_ERROR(AppendRows(backend, batch, sink));
  FERRY_RETURN_IF_ERROR(AppendIdentities(backend, batch, sink));
  FERRY_RETURN_IF_ERROR(AppendCheckpoint(backend, batch, sink));
  FERRY_RETURN_IF_ERROR(sink.Flush());
  // A kill here leaves pre-images of a batch that never committed: harmless, they equal the
  // target as it stays (tests/e2e/rollback_test.cc).
  FaultPoint("preimage.after_flush");
  return Status::OK();
}

}  // namespace ferry

#include "loaders/core/rollback.h"

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace ferry {

namespace {

// The identities CheckNoLaterChange holds before it looks them up: the stream gives one
// entity and user's together, so a chunk is a few lookups.
constexpr size_t kCheckChunk = 4096;

// The id-map rows DeriveLostPreImages reads at a time (one keyset page of the target's id map).
constexpr size_t kIdentityPage = 10000;

Status CheckChunk(LoaderBackend& backend, const std::string& run_id,
                  const std::vector<PreImage>& chunk) {
  // (entity, user) -> the images of its id-map rows, read in one lookup each.
  std::map<std::pair<std::string, std::string>, std::vector<const PreImage*>> groups;
  for (const PreImage& image : chunk) groups[{image.entity, image.user_id}].push_back(&image);
  for (const auto& [group, members] : groups) {
    std::vector<std::string> legacy_ids;
    for (const PreImage* image : members) legacy_ids.push_back(image->legacy_id);
    std::vector<std::optional<KnownIdentity>> now(legacy_ids.size());
    FERRY_RETURN_IF_ERROR(backend.LookupIdentities(group.first, group.second, legacy_ids, &now));
    for (size_t i = 0; i < members.size(); ++i) {
      const PreImage& before = *members[i];
      if (!now[i] || now[i]->run_id == run_id) continue;
      if (before.present && now[i]->run_id == before.run_id && now[i]->ulid == before.ulid &&
          now[i]->content_hash == before.content_hash) {
        continue;  // as before the run: its batch never committed
      }
      return Status::InvalidArgument("run " + now[i]->run_id + " changed " + group.first +
                                     " rows of run " + run_id + " again: roll back run " +
                                     now[i]->run_id + " first");
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckNoLaterChange(LoaderBackend& backend, const std::string& run_id,
                          PreImageStream& images) {
  std::vector<PreImage> chunk;
  FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage& image) -> Status {
    if (image.kind != PreImage::Kind::kIdentity) return Status::OK();
    chunk.push_back(image);
    if (chunk.size() < kCheckChunk) return Status::OK();
    Status checked = CheckChunk(backend, run_id, chunk);
    chunk.clear();
    return checked;
  }));
  return CheckChunk(backend, run_id, chunk);
}

bool RowsKeyedByUlid(const TableDef& table) {
  if (table.primary_key.size() != 1) return false;
  int index = table.ColumnIndex(table.primary_key[0]);
  return index >= 0 && table.columns[index].type == ColumnType::kUlid;
}

bool KeyFromIdentity(const TableDef& table, const std::string& user_id,
                     const std::string& legacy_id, const std::string& ulid, Row* key) {
  key->cells.clear();
  if (RowsKeyedByUlid(table)) {
    if (ulid.empty()) return false;
    key->cells.push_back(Cell(ulid));
    return true;
  }
  if (table.key_from_identity.empty() ||
      table.key_from_identity.size() != table.primary_key.size()) {
    return false;
  }
  for (IdentityPart part : table.key_from_identity) {
    switch (part) {
      case IdentityPart::kUser:
        key->cells.push_back(Cell(user_id));
        break;
      case IdentityPart::kLegacyId:
        key->cells.push_back(Cell(legacy_id));
        break;
      case IdentityPart::kUlid:
        if (ulid.empty()) return false;
        key->cells.push_back(Cell(ulid));
        break;
    }
  }
  return true;
}

Status DeriveLostPreImages(LoaderBackend& backend, const std::string& run_id,
                           const std::vector<const TableDef*>& tables, bool unfinished,
                           PreImageStream* images, std::vector<PreImage>* unkeyed) {
  images->ClearFallback();
  unkeyed->clear();
  std::vector<RunIdentity> page;
  std::optional<RunIdentity> last;
  do {
    FERRY_RETURN_IF_ERROR(
        backend.ListRunIdentities(run_id, last ? &*last : nullptr, kIdentityPage, &page));
    for (const RunIdentity& identity : page) {
      const TableDef* table = nullptr;
      for (const TableDef* candidate : tables) {
        if (candidate->entity == identity.entity) table = candidate;
      }
      PreImage image;
      image.kind = PreImage::Kind::kIdentity;
      image.user_id = identity.user_id;
      image.entity = identity.entity;
      image.legacy_id = identity.legacy_id;
      PreImage row;
      if (table == nullptr ||
          !KeyFromIdentity(*table, identity.user_id, identity.legacy_id, identity.ulid, &row.key)) {
        if (unfinished) unkeyed->push_back(std::move(image));
        continue;
      }
      row.kind = PreImage::Kind::kRow;
      row.table = table->name;
      FERRY_RETURN_IF_ERROR(images->AddFallback(row));
      // The capture records no id-map row of such an insert either: derived on every rollback.
      FERRY_RETURN_IF_ERROR(images->AddFallback(image));
    }
    if (!page.empty()) last = page.back();
  } while (page.size() == kIdentityPage);
  if (!unfinished) return Status::OK();
  std::vector<CheckpointRecord> checkpoints;
  FERRY_RETURN_IF_ERROR(backend.ListCheckpoints(run_id, &checkpoints));
  for (const CheckpointRecord& checkpoint : checkpoints) {
    PreImage image;
    image.kind = PreImage::Kind::kCheckpoint;
    image.user_id = checkpoint.user_id;
    image.entity = checkpoint.entity;
    image.unit = checkpoint.unit;
    FERRY_RETURN_IF_ERROR(images->AddFallback(image));
  }
  return Status::OK();
}

Status CheckNoLaterLoad(LoaderBackend& backend, const std::string& run_id,
                        const std::vector<std::string>& users,
                        const std::vector<std::string>& later_runs) {
  if (users.empty()) return Status::OK();
  const std::set<std::string> loaded(users.begin(), users.end());
  std::vector<CheckpointRecord> checkpoints;
  for (const std::string& later : later_runs) {
    if (later == run_id) continue;
    FERRY_RETURN_IF_ERROR(backend.ListCheckpoints(later, &checkpoints));
    for (const CheckpointRecord& checkpoint : checkpoints) {
      if (loaded.count(checkpoint.user_id) == 0) continue;
      return Status::InvalidArgument("run " + later + " loaded users of run " + run_id +
                                     " again and may have changed its rows: roll back run " +
                                     later + " first (--before rolls back newest first)");
    }
  }
  return Status::OK();
}

Status CheckUnkeyedRecorded(PreImageStream& images, const std::string& run_id,
                            const std::vector<PreImage>& unkeyed) {
  if (unkeyed.empty()) return Status::OK();
  std::map<std::string, std::string> missing;  // address -> entity
  for (const PreImage& image : unkeyed) missing[image.Address()] = image.entity;
  FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage& image) {
    if (image.kind == PreImage::Kind::kIdentity) missing.erase(image.Address());
    return Status::OK();
  }));
  if (missing.empty()) return Status::OK();
  return Status::InvalidArgument("run " + run_id + " wrote " + missing.begin()->second +
                                 " rows without a pre-image that the mapping (--mapping) "
                                 "finds by their ULID");
}

Status CountRollback(PreImageStream& images, RollbackOutcome* outcome) {
  *outcome = RollbackOutcome();
  std::set<std::string> users;
  FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage& image) -> Status {
    switch (image.kind) {
      case PreImage::Kind::kRow:
        ++(image.present ? outcome->rows_restored : outcome->rows_deleted);
        break;
      case PreImage::Kind::kIdentity:
        ++(image.present ? outcome->identities_restored : outcome->identities_deleted);
        users.insert(image.user_id);
        break;
      case PreImage::Kind::kCheckpoint:
        ++(image.present ? outcome->checkpoints_restored : outcome->checkpoints_deleted);
        users.insert(image.user_id);
        break;
    }
    return Status::OK();
  }));
  outcome->users.assign(users.begin(), users.end());
  return Status::OK();
}

std::string DescribeRollback(const RollbackOutcome& o) {
  return std::to_string(o.rows_deleted) + " row(s) deleted, " + std::to_string(o.rows_restored) +
         " restored; id map: " + std::to_string(o.identities_deleted) + " deleted, " +
         std::to_string(o.identities_restored) +
         " restored; checkpoints: " + std::to_string(o.checkpoints_deleted) + " deleted, " +
         std::to_string(o.checkpoints_restored) + " restored";
}

}  // namespace ferry

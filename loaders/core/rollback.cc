#include "loaders/core/rollback.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

namespace ferry {

void FirstPreImages::Add(PreImage image) {
  if (seen_.insert(image.Address()).second) images_.push_back(std::move(image));
}

Status CheckNoLaterChange(LoaderBackend& backend, const std::string& run_id,
                          const std::vector<PreImage>& images) {
  // (entity, user) -> the images of its id-map rows, read in one lookup each.
  std::map<std::pair<std::string, std::string>, std::vector<const PreImage*>> groups;
  for (const PreImage& image : images) {
    if (image.kind == PreImage::Kind::kIdentity) {
      groups[{image.entity, image.user_id}].push_back(&image);
    }
  }
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

RollbackOutcome CountRollback(const std::vector<PreImage>& images) {
  RollbackOutcome outcome;
  std::set<std::string> users;
  for (const PreImage& image : images) {
    switch (image.kind) {
      case PreImage::Kind::kRow:
        ++(image.present ? outcome.rows_restored : outcome.rows_deleted);
        break;
      case PreImage::Kind::kIdentity:
        ++(image.present ? outcome.identities_restored : outcome.identities_deleted);
        users.insert(image.user_id);
        break;
      case PreImage::Kind::kCheckpoint:
        ++(image.present ? outcome.checkpoints_restored : outcome.checkpoints_deleted);
        users.insert(image.user_id);
        break;
    }
  }
  outcome.users.assign(users.begin(), users.end());
  return outcome;
}

std::string DescribeRollback(const RollbackOutcome& o) {
  return std::to_string(o.rows_deleted) + " row(s) deleted, " + std::to_string(o.rows_restored) +
         " restored; id map: " + std::to_string(o.identities_deleted) + " deleted, " +
         std::to_string(o.identities_restored) +
         " restored; checkpoints: " + std::to_string(o.checkpoints_deleted) + " deleted, " +
         std::to_string(o.checkpoints_restored) + " restored";
}

}  // namespace ferry

#include "agent/run/rejected_parents.h"

namespace ferry {

namespace {

std::string Key(std::string_view entity, std::string_view legacy) {
  std::string key;
  key.reserve(entity.size() + legacy.size() + 1);
  key.append(entity);
  key.push_back('\0');  // an entity's name holds none: the key splits one way only
  key.append(legacy);
  return key;
}

// What a kept place costs beside its bytes: the node, its hash and the bucket.
constexpr uint64_t kPlaceOverhead = 96;

}  // namespace

RejectedParents::RejectedParents(uint64_t places_budget) : places_budget_(places_budget) {}

Status RejectedParents::Note(std::string_view entity, std::string_view legacy,
                             const std::string& where) {
  std::string key = Key(entity, legacy);
  if (places_.count(key) != 0) return Status::OK();
  if (places_bytes_ + key.size() + where.size() + kPlaceOverhead <= places_budget_) {
    places_bytes_ += key.size() + where.size() + kPlaceOverhead;
    places_.emplace(std::move(key), where);
    return Status::OK();
  }
  if (!beyond_) beyond_ = std::make_unique<SpillingIdMap>(places_budget_);
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> held, beyond_->Find(key));
  if (held) return Status::OK();
  return beyond_->Insert(key, 0);
}

std::optional<std::string> RejectedParents::Find(std::string_view entity,
                                                 std::string_view legacy) const {
  std::string key = Key(entity, legacy);
  auto found = places_.find(key);
  if (found != places_.end()) return found->second;
  if (!beyond_) return std::nullopt;
  Result<std::optional<int64_t>> held = beyond_->Find(key);
  if (!held.ok() || !held->has_value()) return std::nullopt;
  return std::string(kRejectedPlaceNotKept);
}

void RejectedParents::Clear() {
  places_.clear();
  places_bytes_ = 0;
  beyond_.reset();
}

}  // namespace ferry

#include "agent/run/parent_ulids.h"

#include <climits>

#include "transformers/ulid.h"

namespace ferry {

namespace {

std::string Key(std::string_view entity, std::string_view legacy, char part) {
  std::string key;
  key.reserve(entity.size() + legacy.size() + 2);
  key.append(entity);
  key.push_back('\0');  // an entity's name holds none: the key splits one way only
  key.append(legacy);
  key.push_back(part);
  return key;
}

int64_t Half(const Ulid& ulid, size_t first) {
  uint64_t half = 0;
  for (size_t i = first; i < first + 8; ++i) half = (half << 8) | ulid.bytes[i];
  return static_cast<int64_t>(half);
}

void SetHalf(int64_t value, size_t first, Ulid* ulid) {
  uint64_t half = static_cast<uint64_t>(value);
  for (size_t i = first + 8; i-- > first;) {
    ulid->bytes[i] = static_cast<uint8_t>(half & 0xff);
    half >>= 8;
  }
}

// The two halves of `text` when the map can hold it exactly; else nullopt (held as text).
std::optional<std::pair<int64_t, int64_t>> Halves(std::string_view text) {
  Result<Ulid> ulid = DecodeUlid(text);
  if (!ulid.ok() || EncodeUlid(*ulid) != text) return std::nullopt;
  int64_t high = Half(*ulid, 0);
  int64_t low = Half(*ulid, 8);
  if (high == INT64_MIN || low == INT64_MIN) return std::nullopt;  // the map's tombstone
  return std::make_pair(high, low);
}

}  // namespace

ParentUlids::ParentUlids(uint64_t memory_budget)
    : memory_budget_(memory_budget), map_(std::make_unique<SpillingIdMap>(memory_budget)) {}

ParentUlids::~ParentUlids() = default;

Result<std::optional<std::string>> ParentUlids::Find(std::string_view entity,
                                                     std::string_view legacy) const {
  if (!odd_.empty()) {
    auto found = odd_.find(Key(entity, legacy, 't'));
    if (found != odd_.end()) return std::optional<std::string>(found->second);
  }
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> high, map_->Find(Key(entity, legacy, 'h')));
  if (high) {
    FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> low, map_->Find(Key(entity, legacy, 'l')));
    Ulid ulid;
    SetHalf(*high, 0, &ulid);
    SetHalf(low.value_or(0), 8, &ulid);
    return std::optional<std::string>(EncodeUlid(ulid));
  }
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> missing, map_->Find(Key(entity, legacy, 'n')));
  if (missing) return std::optional<std::string>(std::string());
  return std::optional<std::string>();
}

Status ParentUlids::Put(std::string_view entity, std::string_view legacy, std::string_view ulid) {
  FERRY_ASSIGN_OR_RETURN(std::optional<std::string> held, Find(entity, legacy));
  if (held && *held == ulid) return Status::OK();
  if (!held) {
    ++size_;
  } else {
    // Take the old answer out in whichever form it was held.
    odd_.erase(Key(entity, legacy, 't'));
    if (held->empty()) {
      FERRY_RETURN_IF_ERROR(map_->Erase(Key(entity, legacy, 'n')));
    } else {
      FERRY_RETURN_IF_ERROR(map_->Erase(Key(entity, legacy, 'h')));
      FERRY_RETURN_IF_ERROR(map_->Erase(Key(entity, legacy, 'l')));
    }
  }
  if (ulid.empty()) return map_->Insert(Key(entity, legacy, 'n'), 0);
  std::optional<std::pair<int64_t, int64_t>> halves = Halves(ulid);
  if (!halves) {
    odd_.emplace(Key(entity, legacy, 't'), std::string(ulid));
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(map_->Insert(Key(entity, legacy, 'h'), halves->first));
  return map_->Insert(Key(entity, legacy, 'l'), halves->second);
}

void ParentUlids::Clear() {
  map_ = std::make_unique<SpillingIdMap>(memory_budget_);
  odd_.clear();
  size_ = 0;
}

}  // namespace ferry

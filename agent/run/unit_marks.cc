#include "agent/run/unit_marks.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace ferry {

namespace {

// (user, unit) as one key: the user's length first, so that no two pairs make the same text.
std::string PairKey(const std::string& user_id, const std::string& unit) {
  return std::to_string(user_id.size()) + ':' + user_id + unit;
}

}  // namespace

UnitMarks::UnitMarks(std::vector<std::string> units, size_t chunk)
    : chunk_size_(std::max<size_t>(chunk, 1)), units_(std::move(units)) {
  std::vector<bool> twice(units_.size(), false);
  for (size_t i = 0; i < units_.size(); ++i) {
    auto [at, added] = place_.emplace(units_[i], i);
    if (!added) twice[at->second] = true;
  }
  // A name given twice (the same file in two sources) is read alone each time; so is one that
  // is not UTF-8 (a file name's bytes), which a PostgreSQL text value cannot hold: its read
  // fails alone, as before, rather than its chunk's.
  for (size_t i = 0; i < units_.size(); ++i) {
    if (twice[i] || !simdjson::validate_utf8(units_[i].data(), units_[i].size())) {
      place_.erase(units_[i]);
    }
  }
  read_.assign((units_.size() + chunk_size_ - 1) / chunk_size_, false);
  asked_.assign(units_.size(), false);
}

size_t UnitMarks::reads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reads_;
}

Status UnitMarks::ReadChunk(Loader* loader, size_t chunk) {
  size_t begin = chunk * chunk_size_;
  size_t end = std::min(units_.size(), begin + chunk_size_);
  std::vector<std::string> names;
  for (size_t i = begin; i < end; ++i) {
    auto at = place_.find(units_[i]);
    if (at != place_.end() && at->second == i) names.push_back(units_[i]);
  }
  std::vector<StoredUnitMark> marks;
  bool complete = false;
  FERRY_RETURN_IF_ERROR(loader->ReadUnitMarks(names, kUnitMarksKeptBytes, &marks, &complete));
  if (!complete) return Status::OK();  // not read: asked again at the chunk's next unit
  for (StoredUnitMark& mark : marks) {
    std::string key = PairKey(mark.user_id, mark.unit);
    found_.insert_or_assign(std::move(key), std::move(mark));
  }
  read_[chunk] = true;
  reads_++;
  spdlog::debug("unit marks: {} of {} units read in one statement ({} marked)", names.size(),
                end - begin, marks.size());
  return Status::OK();
}

Status UnitMarks::Find(Loader* loader, const std::string& user_id, const std::string& unit,
                       Answer* out) {
  *out = Answer{};
  auto at = place_.find(unit);
  if (at == place_.end()) return Status::OK();
  const size_t place = at->second;
  std::lock_guard<std::mutex> lock(mu_);
  if (asked_[place]) return Status::OK();  // a unit asked twice: read alone
  const size_t chunk = place / chunk_size_;
  if (!read_[chunk]) {
    FERRY_RETURN_IF_ERROR(ReadChunk(loader, chunk));
    if (!read_[chunk]) return Status::OK();
  }
  asked_[place] = true;
  out->known = true;
  auto found = found_.find(PairKey(user_id, unit));
  if (found == found_.end()) return Status::OK();  // no mark of this unit for this user
  StoredUnitMark& stored = found->second;
  out->mark = std::move(stored.mark);
  out->kept_known = !stored.kept_left_out;
  out->kept = std::move(stored.kept);
  found_.erase(found);
  return Status::OK();
}

}  // namespace ferry

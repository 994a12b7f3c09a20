// UnitProcessor: the rejects of a unit loaded whole but for them, kept beside its mark and
// given back by a rerun (agent/run/unit_rejects.h; docs/reliability.md, "Rerun over an
// unchanged source").
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "agent/run/unit_processor.h"
#include "agent/run/unit_rejects.h"
#include "loaders/unit_mark.h"

namespace ferry {

namespace {

// The file the unit's entries came from (the first entry's), as this run was given it.
Result<std::string> UnitFile(const UnitEntries& entries) {
  if (entries.empty()) return std::string();
  Entry scratch;
  FERRY_ASSIGN_OR_RETURN(const Entry* first, entries.Get(0, &scratch, /*with_value=*/false));
  return first->where.file;
}

}  // namespace

void UnitProcessor::StartRecording(const UnitEntries& entries, bool on) {
  recording_ = Recording{};
  if (!on) return;
  Result<std::string> file = UnitFile(entries);
  if (!file.ok()) return;  // not kept: the rerun reads the unit
  recording_.on = true;
  recording_.file = std::move(*file);
  for (const auto& [name, counts] : report_->entities) {
    recording_.before[name] = {counts.read, counts.valid};
  }
  recording_.lossy_before = report_->lossy_entries;
  recording_.duplicates_before = report_->duplicate_members;
}

std::string UnitProcessor::KeptRejects(int64_t rejected) {
  // Not kept (the rerun reads the unit, as before) when a reject was not recorded, or when the
  // unit added to what the report says of entries besides its counts (lossy entries, repeated
  // members): those come from reading it.
  if (!recording_.on || static_cast<int64_t>(recording_.rejects.size()) != rejected ||
      report_->lossy_entries != recording_.lossy_before ||
      report_->duplicate_members != recording_.duplicates_before) {
    return std::string();
  }
  UnitRejects kept;
  kept.file = recording_.file;
  for (const std::string& name : report_->entity_order) {
    const EntityCounts& counts = report_->entities.at(name);
    auto before = recording_.before.find(name);
    int64_t read = counts.read - (before != recording_.before.end() ? before->second.first : 0);
    int64_t valid = counts.valid - (before != recording_.before.end() ? before->second.second : 0);
    if (read != 0 || valid != 0) kept.entities.push_back({name, read, valid});
  }
  kept.rejects = std::move(recording_.rejects);
  recording_ = Recording{};
  std::string body = EncodeUnitRejects(kept);
  // Text that is not UTF-8 (a file name's bytes, kept as they are in the reject file) neither
  // decodes nor fits a PostgreSQL text column: such a unit is read again by a rerun.
  if (body.size() > kMaxUnitRejectsBytes || !simdjson::validate_utf8(body.data(), body.size())) {
    return std::string();
  }
  return body;
}

Status UnitProcessor::ReadMark(const std::string& user_id, const std::string& unit,
                               UnitMarks::Answer* read) {
  *read = UnitMarks::Answer{};
  if (options_.unit_marks) {
    FERRY_RETURN_IF_ERROR(options_.unit_marks->Find(loader_, user_id, unit, read));
    if (read->known) return Status::OK();
  }
  read->known = true;
  return loader_->ReadCheckpoint(user_id, kUnitDoneEntity, unit, &read->mark);
}

Status UnitProcessor::GiveBackKept(const UnitEntries& entries, const std::string& user_id,
                                   UnitMarks::Answer* read, int64_t rejects, bool* given) {
  *given = false;
  const StoredCheckpoint& mark = *read->mark;
  std::optional<StoredUnitRejects> stored = std::move(read->kept);
  if (!read->kept_known) {
    FERRY_RETURN_IF_ERROR(loader_->ReadUnitRejects(user_id, entries.unit(), &stored));
  }
  // Only what the run that wrote the mark kept for it: another run's, or a mark of another
  // digest or count, says nothing of this unit.
  if (!stored || stored->run_id != mark.run_id || stored->position != mark.position) {
    return Status::OK();
  }
  Result<UnitRejects> kept = DecodeUnitRejects(stored->body);
  FERRY_ASSIGN_OR_RETURN(std::string file, UnitFile(entries));
  if (!kept.ok() || static_cast<int64_t>(kept->rejects.size()) != rejects || kept->file != file) {
    if (!kept.ok()) spdlog::warn("{}: {}: read again", entries.unit(), kept.status().message());
    return Status::OK();
  }
  *given = true;
  FERRY_RETURN_IF_ERROR(CountHeld(entries));
  for (const UnitRejects::Counts& counts : kept->entities) {
    EntityCounts& entity = report_->Entity(counts.entity);
    entity.read += counts.read;
    entity.valid += counts.valid;
    // As ProcessMarked's check passes them over: in the target as that run left them.
    report_->unchanged_passed_over += counts.valid;
  }
  for (auto& [user, reject] : kept->rejects) {
    FERRY_RETURN_IF_ERROR(Reject(user, std::move(reject)));
  }
  report_->unchanged_rejects_kept++;
  ReportUnchanged(user_id, entries.unit(), mark.run_id, rejects);
  return CheckRejectRate();
}

}  // namespace ferry

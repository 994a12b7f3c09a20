#include "agent/run/entity_pass.h"

#include <fmt/format.h>

#include <algorithm>

#include "agent/run/assign_identities.h"
#include "agent/run/commit_batch.h"
#include "agent/run/stop_signal.h"
#include "transformers/datetime.h"
#include "transformers/field_path.h"
#include "transformers/map_record.h"
#include "transformers/route_entry.h"
#include "transformers/scalar_text.h"
#include "transformers/ulid_time.h"
#include "transformers/validate/schema_validator.h"

namespace ferry {

namespace {

// The run's one decider: its S/O/M answers hold for the whole run (one worker, one terminal).
ConflictDecider& InteractiveDecider() {
  static ConflictDecider decider;
  return decider;
}

}  // namespace

namespace {

bool SensitivePointer(const EntityMapping& entity, const std::string& pointer) {
  for (const std::string& path : entity.sensitive) {
    std::string sensitive = DottedPathToPointer(path);
    // Inside a sensitive field, or an ancestor holding one: either may show the secret.
    if (PointerIsWithin(pointer, path) || (sensitive.compare(0, pointer.size(), pointer) == 0 &&
                                           (pointer.empty() || sensitive.size() == pointer.size() ||
                                            sensitive[pointer.size()] == '/'))) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status UnitProcessor::EntityPass::RejectRecord(Location where, std::string pointer,
                                               std::string schema_location, std::string reason,
                                               simdjson::dom::element record) {
  if (is_parent_ && entity_.id_field.rfind('$', 0) != 0) {
    std::optional<simdjson::dom::element> id = FindField(record, entity_.id_field);
    std::optional<std::string> legacy = id ? ScalarToText(*id) : std::nullopt;
    if (legacy) FERRY_RETURN_IF_ERROR(NoteRejected(*legacy, where));
  }
  ::ferry::Reject reject;
  reject.entity = entity_.name;
  reject.where = std::move(where);
  reject.where.pointer = pointer;
  reject.schema_location = std::move(schema_location);
  if (SensitivePointer(entity_, pointer)) {
    reject.reason = fmt::format("sensitive field {} failed validation", pointer);
  } else {
    reject.reason = std::move(reason);
    simdjson::dom::element value;
    if (record.at_pointer(pointer).get(value) == simdjson::SUCCESS) {
      reject.value = ShortJsonForReject(value);
    }
  }
  return owner_->Reject(user_id_, std::move(reject));
}

Result<std::string> UnitProcessor::EntityPass::LegacyIdOf(const RecordRef& ref, const Entry& entry,
                                                          const std::string& key_suffix) const {
  const std::string& id = entity_.id_field;
  if (id == "$user") return user_id_;
  if (id == "$key") return entry.key;
  if (id == "$key_suffix") return key_suffix;
  if (id == "$member") {
    if (ref.member) return *ref.member;
    return Status::InvalidArgument("id $member needs shape: object");
  }
  std::optional<simdjson::dom::element> value = FindField(ref.record, id);
  if (!value || value->is_null()) {
    return Status::NotFound(fmt::format("{} is missing or null", id));
  }
  std::optional<std::string> text = ScalarToText(*value);
  if (!text || text->empty() || value->is_bool()) {
    return Status::InvalidArgument(fmt::format("{} is not a string or an integer", id));
  }
  return *text;
}

Status UnitProcessor::EntityPass::AddRecord(const RecordRef& ref, const Entry& entry,
                                            const std::string& key_suffix) {
  counts_.read++;
  records_seen_++;
  constexpr int64_t kProgressEvery = 256;
  if (owner_->progress_hook_ && records_seen_ % kProgressEvery == 0) {
    uint64_t within = ref.index >= 0 && entry_records_ > 0
                          ? entry_bytes_ * static_cast<uint64_t>(ref.index + 1) / entry_records_
                          : 0;
    owner_->progress_hook_(owner_->unit_bytes_done_ + within);
  }
  Location where = entry.where;
  if (ref.index >= 0) where.index = ref.index;
  if (entity_.validator) {
    std::vector<SchemaViolation> violations = entity_.validator->Validate(ref.record, 4);
    if (!violations.empty()) {
      const SchemaViolation& first = violations.front();
      return RejectRecord(where, first.pointer, first.schema_location, first.reason, ref.record);
    }
  }
  Result<std::string> legacy = LegacyIdOf(ref, entry, key_suffix);
  if (!legacy.ok()) {
    return RejectRecord(where, DottedPathToPointer(entity_.id_field), "", legacy.status().message(),
                        ref.record);
  }
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> first, first_index_->Find(*legacy));
  if (first) {
    return RejectRecord(
        where, DottedPathToPointer(entity_.id_field), "",
        *first >= 0 ? fmt::format("duplicate id {}: the record at index {} has the same id",
                                  *legacy, *first)
                    : fmt::format("duplicate id {}: an earlier record has the same id", *legacy),
        ref.record);
  }
  FERRY_RETURN_IF_ERROR(first_index_->Insert(*legacy, where.index));
  Pending pending{ref.record, std::move(legacy).value(), -1, std::move(where), &entry, key_suffix};
  pending.position = records_seen_;
  if (!entity_.time_field.empty()) {
    std::optional<simdjson::dom::element> time = FindField(ref.record, entity_.time_field);
    if (time && !time->is_null()) {
      Result<int64_t> ms = UlidTimeOf(*time, entity_.time_field, entity_.time_format);
      if (!ms.ok()) {
        FERRY_RETURN_IF_ERROR(ForgetId(pending.legacy_id));
        return RejectRecord(pending.where, DottedPathToPointer(entity_.time_field), "",
                            ms.status().message(), ref.record);
      }
      pending.time_ms = *ms;
    }
  }
  // Valid from here on (read = valid + rejected at every exit); a later reject of the record
  // (a dangling reference, a row that cannot be merged) takes it back.
  counts_.valid++;
  FERRY_ASSIGN_OR_RETURN(bool deferred, DeferForwardReference(pending, entry));
  if (deferred) return Status::OK();
  pending_.push_back(std::move(pending));
  if (static_cast<int>(pending_.size()) >= owner_->options_.batch_size) {
    return Flush();
  }
  return Status::OK();
}

Status UnitProcessor::EntityPass::DropCommittedOnResume() {
  const std::string& resuming = owner_->options_.resuming_run;
  if (resuming.empty() || owner_->options_.dry_run || pending_.empty()) return Status::OK();
  if (committed_through_ < 0) {
    std::optional<StoredCheckpoint> stored;
    FERRY_RETURN_IF_ERROR(owner_->loader_->ReadCheckpoint(user_id_, entity_.name,
                                                          pending_.front().entry->unit, &stored));
    // Only that run's: the same sources (DecideResume checked the fingerprint), so the same
    // positions name the same records. Another run's checkpoint says nothing of this one.
    committed_through_ = stored && stored->run_id == resuming ? stored->position : 0;
  }
  if (committed_through_ == 0) return Status::OK();
  const int64_t through = committed_through_;
  auto committed = [through](const PendingRecord& p) { return p.position <= through; };
  auto first_kept = std::remove_if(pending_.begin(), pending_.end(), committed);
  owner_->report_->resume_passed_over += std::distance(first_kept, pending_.end());
  pending_.erase(first_kept, pending_.end());
  return Status::OK();
}

void UnitProcessor::EntityPass::ReleaseHeldEntries() {
  std::unique_ptr<Entry> current;
  for (std::unique_ptr<Entry>& entry : held_) {
    if (in_entry_ && entry.get() == current_entry_) current = std::move(entry);
  }
  held_.clear();
  held_bytes_ = 0;
  if (current) {
    held_bytes_ = entry_bytes_;  // its value may be freed already (AddEntry)
    held_.push_back(std::move(current));
  }
}

Status UnitProcessor::EntityPass::Flush() {
  // The entry being read keeps its parser; every other parser is free once flushed.
  auto release_parsers = [this] {
    if (in_entry_ && parsers_used_ > 0) {
      std::swap(owner_->parsers_[0], owner_->parsers_[parsers_used_ - 1]);
      parsers_used_ = 1;
    } else {
      parsers_used_ = 0;
    }
  };
  // The batch before this one may still be committing on the writer thread (the overlap:
  // agent/run/unit_writes.h): the records of this one were read, validated and deduplicated
  // meanwhile, which needs nothing of the target. What follows does: the checkpoint and id map
  // reads, the identities (parent ULIDs the last batch's outcome may change) and the
  // classification against the target's rows. So the last batch commits first, and its
  // outcome (counts, rejects) is taken here, in order.
  if (owner_->writes_ != nullptr) FERRY_RETURN_IF_ERROR(owner_->writes_->Complete());
  FERRY_RETURN_IF_ERROR(CheckStop());  // a stop asked while it committed: nothing more starts
  if (owner_->checking_) {
    // A unit marked loaded whole but for its rejects (ProcessMarked): its valid records are in
    // the target as that run left them; neither looked up nor written.
    owner_->report_->unchanged_passed_over += static_cast<int64_t>(pending_.size());
    pending_.clear();
    release_parsers();
    ReleaseHeldEntries();
    return CheckStop();
  }
  FERRY_RETURN_IF_ERROR(DropCommittedOnResume());
  if (pending_.empty()) {
    release_parsers();
    ReleaseHeldEntries();
    return Status::OK();
  }
  IdentityContext identities;
  identities.entity = &entity_;
  identities.user_id = &user_id_;
  identities.loader = owner_->loader_;
  identities.ulids = &owner_->ulids_;
  identities.parents = &owner_->parents_;
  identities.is_parent = is_parent_;
  identities.store = &owner_->store_;
  identities.rejected = &owner_->rejected_reference_;
  identities.user_fresh = owner_->user_fresh_;
  if (!entity_fresh_ && !owner_->user_fresh_) {
    // Asked once per pass, and only when its first batch is full: a pass of one batch would
    // pay the probe to spare the one lookup it replaces.
    bool fresh = false;
    if (static_cast<int>(pending_.size()) >= owner_->options_.batch_size) {
      FERRY_RETURN_IF_ERROR(owner_->loader_->ProbeUser(user_id_, {entity_.name}, {}, &fresh));
    }
    entity_fresh_ = fresh;
  }
  identities.entity_fresh = entity_fresh_.value_or(false);
  identities.reject = [this](const PendingRecord& record, ::ferry::Reject reject) {
    owner_->target_decided_reject_ = true;  // a reference the id map may resolve next time
    counts_.valid--;                        // counted valid when read, but not loaded after all
    FERRY_RETURN_IF_ERROR(ForgetId(record.legacy_id));
    FERRY_RETURN_IF_ERROR(NoteRejected(record.legacy_id, reject.where));
    return owner_->Reject(user_id_, std::move(reject));
  };
  FERRY_ASSIGN_OR_RETURN(std::vector<AssignedRecord> assigned,
                         AssignIdentities(identities, pending_));
  Checkpoint checkpoint{pending_.back().entry->unit, entity_.name, records_seen_};
  pending_.clear();
  release_parsers();
  ReleaseHeldEntries();

  CommitContext commit;
  commit.entity = &entity_;
  commit.user_id = &user_id_;
  commit.policy = Policy();
  if (owner_->options_.interactive && !entity_.conflict) {
    ConflictChooser* recorded = owner_->options_.decisions.get();
    commit.decide = recorded != nullptr ? recorded : &InteractiveDecider();
  }
  commit.loader = owner_->loader_;
  commit.dry_run = owner_->options_.dry_run;
  commit.continue_on_error = owner_->options_.continue_on_error;
  commit.counts = &counts_;
  commit.written = &written_keys_;
  commit.parents = is_parent_ ? &owner_->parents_ : nullptr;
  commit.writes = owner_->writes_.get();
  commit.refused_parents = &owner_->refused_parents_;
  commit.reject = [this](const AssignedRecord& record, ::ferry::Reject reject) {
    owner_->target_decided_reject_ = true;
    counts_.valid--;  // counted valid when read, but not loaded after all
    FERRY_RETURN_IF_ERROR(ForgetId(record.identity.legacy_id));
    FERRY_RETURN_IF_ERROR(NoteRejected(record.identity.legacy_id, reject.where));
    return owner_->Reject(user_id_, std::move(reject));
  };
  ExampleMarks marks = MarkExamples();
  Status committed = CommitBatch(commit, std::move(assigned), checkpoint);
  NameUserInExamples(marks);
  FERRY_RETURN_IF_ERROR(committed);
  FERRY_RETURN_IF_ERROR(CheckStop());  // Ctrl-C / SIGTERM: the run ends at this boundary
  return owner_->CheckRejectRate();
}

}  // namespace ferry

#include "agent/run/unit_processor.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "agent/run/assign_identities.h"
#include "agent/run/commit_batch.h"
#include "agent/run/stop_signal.h"
#include "agent/run/unit_user_id.h"
#include "transformers/datetime.h"
#include "transformers/field_path.h"
#include "transformers/json_records.h"
#include "transformers/map_record.h"
#include "transformers/records_of_value.h"
#include "transformers/route_entry.h"
#include "transformers/scalar_text.h"
#include "transformers/ulid_time.h"
#include "transformers/validate/schema_validator.h"

namespace ferry {

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

// One entity of one unit: records are gathered into a batch, then written together.
class UnitProcessor::EntityPass {
 public:
  EntityPass(UnitProcessor* owner, const EntityMapping& entity, const std::string& user_id)
      : owner_(owner),
        entity_(entity),
        user_id_(user_id),
        counts_(owner->report_->Entity(entity.name)),
        is_parent_(IsParent()) {}

  // Reads the entry's records one by one (transformers/json_records.h), so that a value the
  // parser refuses stays with its record; the whole value as one reject only when its records
  // cannot be told apart.
  Status AddEntry(const Entry& entry, const std::string& key_suffix) {
    SourceShape shape =
        entry.shape == EntryShape::kRecord ? SourceShape::kRecord : entity_.source.shape;
    Result<ScannedValue> scanned = ScanJsonRecords(entry.value, shape);
    if (!scanned.ok()) return AddWholeEntry(entry, key_suffix, shape);
    owner_->report_->duplicate_members += scanned->duplicates;
    entry_records_ = scanned->records.size();
    entry_bytes_ = entry.value.size();
    std::string_view text = scanned->Text(entry.value);
    simdjson::dom::parser& parser = NextParser();
    simdjson::dom::element value;
    in_entry_ = true;
    Status status = Status::OK();
    if (parser.parse(text.data(), text.size()).get(value) == simdjson::SUCCESS) {
      size_t next = 0;
      Status shape_status = RecordsOfValue(value, shape, [&](const RecordRef& ref) {
        static const ScannedRecord kPlain;
        const ScannedRecord& scan =
            next < scanned->records.size() ? scanned->records[next] : kPlain;
        ++next;
        if (status.ok()) status = AddScannedRecord(ref, scan, entry, key_suffix);
      });
      if (status.ok()) status = shape_status;
    } else {
      for (const ScannedRecord& scan : scanned->records) {
        if (!status.ok()) break;
        simdjson::dom::parser& own = NextParser();
        simdjson::dom::element record;
        std::string_view record_text = text.substr(scan.begin, scan.end - scan.begin);
        auto error = scan.too_deep ? simdjson::SUCCESS
                                   : own.parse(record_text.data(), record_text.size()).get(record);
        if (error != simdjson::SUCCESS) {
          status = RejectUnreadRecord(
              entry, scan,
              fmt::format("the record is not JSON: {}", simdjson::error_message(error)));
          continue;
        }
        status =
            AddScannedRecord(RecordRef{record, scan.index, scan.member}, scan, entry, key_suffix);
      }
    }
    in_entry_ = false;
    owner_->unit_bytes_done_ += entry.value.size();
    return status;
  }

  Status Flush();

 private:
  using Pending = PendingRecord;

  // One record of a scanned value: rejected when too deep, listed (or with --strict-unicode
  // rejected) when an unpaired surrogate in it became U+FFFD, else added.
  Status AddScannedRecord(const RecordRef& ref, const ScannedRecord& scan, const Entry& entry,
                          const std::string& key_suffix) {
    if (scan.too_deep) {
      return RejectUnreadRecord(
          entry, scan,
          fmt::format("the record is nested deeper than {} levels, the limit", kMaxRecordDepth));
    }
    if (scan.lossy) {
      Location where = entry.where;
      if (scan.index >= 0) where.index = scan.index;
      const std::string detail =
          "a string of the record is not well-formed UTF-16 (an unpaired surrogate escape)";
      RunReport& report = *owner_->report_;
      report.lossy_entries++;
      if (report.lossy_examples.size() < kMaxExamples) {
        report.lossy_examples.push_back(fmt::format("{}: {}", where.ToString(), detail));
      }
      if (owner_->options_.strict_unicode) {
        return RejectUnreadRecord(entry, scan, detail + "; rejected by --strict-unicode");
      }
    }
    return AddRecord(ref, entry, key_suffix);
  }

  // Counts a record that is not read further and rejects it with `reason`.
  Status RejectUnreadRecord(const Entry& entry, const ScannedRecord& scan, std::string reason) {
    counts_.read++;
    records_seen_++;
    ::ferry::Reject reject;
    reject.entity = entity_.name;
    reject.where = entry.where;
    if (scan.index >= 0) reject.where.index = scan.index;
    reject.reason =
        scan.member ? fmt::format("member \"{}\": {}", *scan.member, reason) : std::move(reason);
    return owner_->Reject(user_id_, std::move(reject));
  }

  // The value read whole, as one record's worth of reject when it is not JSON or not of the
  // entity's shape.
  Status AddWholeEntry(const Entry& entry, const std::string& key_suffix, SourceShape shape) {
    simdjson::dom::parser& parser = NextParser();
    simdjson::dom::element value;
    auto error = parser.parse(entry.value).get(value);
    in_entry_ = true;
    if (error != simdjson::SUCCESS) {
      counts_.read++;
      ::ferry::Reject reject;
      reject.entity = entity_.name;
      reject.where = entry.where;
      reject.reason = fmt::format("the value of key \"{}\" is not JSON: {}", entry.key,
                                  simdjson::error_message(error));
      in_entry_ = false;
      return owner_->Reject(user_id_, std::move(reject));
    }
    Status status = Status::OK();
    entry_records_ = value.is_array() ? value.get_array().size() : 0;
    entry_bytes_ = entry.value.size();
    Status shape_status = RecordsOfValue(value, shape, [&](const RecordRef& ref) {
      if (status.ok()) status = AddRecord(ref, entry, key_suffix);
    });
    in_entry_ = false;
    owner_->unit_bytes_done_ += entry.value.size();
    FERRY_RETURN_IF_ERROR(status);
    if (!shape_status.ok()) {
      counts_.read++;
      ::ferry::Reject reject;
      reject.entity = entity_.name;
      reject.where = entry.where;
      reject.reason = fmt::format("key \"{}\": {}", entry.key, shape_status.message());
      return owner_->Reject(user_id_, std::move(reject));
    }
    return Status::OK();
  }

  ConflictPolicy Policy() const {
    return entity_.conflict.value_or(owner_->options_.conflict.value_or(
        owner_->mapping_.conflict.value_or(ConflictPolicy::kSkip)));
  }

  bool IsParent() const {
    for (const EntityMapping& other : owner_->mapping_.entities) {
      if (std::find(other.parents.begin(), other.parents.end(), entity_.name) !=
          other.parents.end()) {
        return true;
      }
    }
    return false;
  }

  simdjson::dom::parser& NextParser() {
    auto& pool = owner_->parsers_;
    if (parsers_used_ == pool.size()) {
      pool.push_back(std::make_unique<simdjson::dom::parser>());
    }
    return *pool[parsers_used_++];
  }

  // Remembers where a parent record was rejected, for its children's rejects.
  void NoteRejected(const std::string& legacy_id, const Location& where) {
    if (is_parent_) owner_->rejected_parents_[entity_.name].emplace(legacy_id, where.ToString());
  }

  Status RejectRecord(Location where, std::string pointer, std::string schema_location,
                      std::string reason, simdjson::dom::element record) {
    if (is_parent_ && entity_.id_field.rfind('$', 0) != 0) {
      std::optional<simdjson::dom::element> id = FindField(record, entity_.id_field);
      std::optional<std::string> legacy = id ? ScalarToText(*id) : std::nullopt;
      if (legacy) NoteRejected(*legacy, where);
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

  // How many examples of each kind the report held before a batch.
  struct ExampleMarks {
    size_t inserted, updated, skipped, conflicts;
  };
  ExampleMarks MarkExamples() const {
    return {counts_.examples_inserted.size(), counts_.examples_updated.size(),
            counts_.examples_skipped.size(), counts_.examples_conflicts.size()};
  }
  // When the users come from the source (many units), a legacy id alone ("settings") does not
  // say whose record an example is: the batch's new examples get " of USER".
  void NameUserInExamples(const ExampleMarks& marks) {
    if (!owner_->options_.user_id.empty()) return;
    auto name = [this](std::string* id) {
      if (*id != user_id_) *id += " of " + user_id_;
    };
    auto from = [&name](std::vector<std::string>* ids, size_t mark) {
      for (size_t i = mark; i < ids->size(); ++i) name(&(*ids)[i]);
    };
    from(&counts_.examples_inserted, marks.inserted);
    from(&counts_.examples_updated, marks.updated);
    from(&counts_.examples_skipped, marks.skipped);
    for (size_t i = marks.conflicts; i < counts_.examples_conflicts.size(); ++i) {
      name(&counts_.examples_conflicts[i].legacy_id);
    }
  }

  Status AddRecord(const RecordRef& ref, const Entry& entry, const std::string& key_suffix);
  Result<std::string> LegacyIdOf(const RecordRef& ref, const Entry& entry,
                                 const std::string& key_suffix) const;

  UnitProcessor* owner_;
  const EntityMapping& entity_;
  const std::string& user_id_;
  EntityCounts& counts_;
  bool is_parent_;
  std::vector<Pending> pending_;
  size_t parsers_used_ = 0;
  bool in_entry_ = false;
  // The entry being read: its records (0 when not an array) and bytes, for progress.
  size_t entry_records_ = 0;
  uint64_t entry_bytes_ = 0;
  std::unordered_map<std::string, int64_t> first_index_;  // legacy id -> index of first record
  // Records of this entity met so far in this unit: the checkpoint's position. The same source
  // gives the same count at the same record, and each batch's is greater than the last's.
  int64_t records_seen_ = 0;
};

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
  auto [it, fresh] = first_index_.try_emplace(*legacy, where.index);
  if (!fresh) {
    return RejectRecord(
        where, DottedPathToPointer(entity_.id_field), "",
        it->second >= 0
            ? fmt::format("duplicate id {}: the record at index {} has the same id", *legacy,
                          it->second)
            : fmt::format("duplicate id {}: an earlier record has the same id", *legacy),
        ref.record);
  }
  Pending pending{ref.record, std::move(legacy).value(), -1, std::move(where), &entry, key_suffix};
  pending.position = records_seen_;
  if (!entity_.time_field.empty()) {
    std::optional<simdjson::dom::element> time = FindField(ref.record, entity_.time_field);
    if (time && !time->is_null()) {
      Result<int64_t> ms = UlidTimeOf(*time, entity_.time_field, entity_.time_format);
      if (!ms.ok()) {
        first_index_.erase(pending.legacy_id);
        return RejectRecord(pending.where, DottedPathToPointer(entity_.time_field), "",
                            ms.status().message(), ref.record);
      }
      pending.time_ms = *ms;
    }
  }
  // Valid from here on (read = valid + rejected at every exit); a later reject of the record
  // (a dangling reference, a row that cannot be merged) takes it back.
  counts_.valid++;
  pending_.push_back(std::move(pending));
  if (static_cast<int>(pending_.size()) >= owner_->options_.batch_size) {
    return Flush();
  }
  return Status::OK();
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
  if (pending_.empty()) {
    release_parsers();
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
  identities.reject = [this](const PendingRecord& record, ::ferry::Reject reject) {
    counts_.valid--;  // counted valid when read, but not loaded after all
    first_index_.erase(record.legacy_id);
    NoteRejected(record.legacy_id, reject.where);
    return owner_->Reject(user_id_, std::move(reject));
  };
  FERRY_ASSIGN_OR_RETURN(std::vector<AssignedRecord> assigned,
                         AssignIdentities(identities, pending_));
  Checkpoint checkpoint{pending_.back().entry->unit, entity_.name, records_seen_};
  pending_.clear();
  release_parsers();

  CommitContext commit;
  commit.entity = &entity_;
  commit.user_id = &user_id_;
  commit.policy = Policy();
  commit.loader = owner_->loader_;
  commit.dry_run = owner_->options_.dry_run;
  commit.continue_on_error = owner_->options_.continue_on_error;
  commit.counts = &counts_;
  commit.parents = is_parent_ ? &owner_->parents_ : nullptr;
  commit.reject = [this](const AssignedRecord& record, ::ferry::Reject reject) {
    counts_.valid--;  // counted valid when read, but not loaded after all
    first_index_.erase(record.identity.legacy_id);
    NoteRejected(record.identity.legacy_id, reject.where);
    return owner_->Reject(user_id_, std::move(reject));
  };
  ExampleMarks marks = MarkExamples();
  Status committed = CommitBatch(commit, std::move(assigned), checkpoint);
  NameUserInExamples(marks);
  FERRY_RETURN_IF_ERROR(committed);
  FERRY_RETURN_IF_ERROR(CheckStop());  // Ctrl-C / SIGTERM: the run ends at this boundary
  return owner_->CheckRejectRate();
}

UnitProcessor::UnitProcessor(const MigrateOptions& options, const Mapping& mapping, Loader* loader,
                             RejectSink* rejects, RunReport* report)
    : options_(options), mapping_(mapping), loader_(loader), rejects_(rejects), report_(report) {
  for (const EntityMapping& entity : mapping_.entities) {
    for (const ColumnMapping& column : entity.columns) {
      if (column.source == ColumnSource::kStoreKey) store_keys_.push_back(column.field);
    }
  }
  rejected_reference_ = [this](const std::string& entity,
                               const std::string& legacy_id) -> std::optional<std::string> {
    auto of_entity = rejected_parents_.find(entity);
    if (of_entity == rejected_parents_.end()) return std::nullopt;
    auto found = of_entity->second.find(legacy_id);
    if (found == of_entity->second.end()) return std::nullopt;
    return found->second;
  };
}

bool UnitProcessor::Selected(const std::string& entity) const {
  auto has = [&entity](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), entity) != list.end();
  };
  if (!options_.include.empty() && !has(options_.include)) return false;
  return !has(options_.exclude);
}

Result<std::string> UnitProcessor::UserIdFor(const std::vector<Entry>& entries) const {
  return UnitUserId(options_, entries);
}

Status UnitProcessor::Reject(const std::string& user_id, ::ferry::Reject reject) {
  EntityCounts& counts = report_->Entity(reject.entity);
  counts.rejected++;
  FERRY_RETURN_IF_ERROR(rejects_->Write(user_id, reject));
  if (counts.examples_rejected.size() < kMaxExamples) counts.examples_rejected.push_back(reject);
  if (!options_.continue_on_error && options_.dry_run) {
    // A dry run writes nothing, so it reads on to count every reject, and says where the real
    // run would have stopped.
    if (report_->would_stop.empty()) report_->would_stop = WouldStopAt(user_id, reject);
    return Status::OK();
  }
  if (!options_.continue_on_error) {
    return Status::Rejected(fmt::format(
        "{}: {}: {} — the run stops at this record; what was committed before it stays, and the "
        "same command goes on from there once it is fixed (--continue-on-error loads the valid "
        "records and writes the rejects to a file)",
        reject.entity, reject.where.ToString(), reject.reason));
  }
  return Status::OK();
}

std::string WouldStopAt(const std::string& user_id, const ::ferry::Reject& reject) {
  const Location& where = reject.where;
  std::string place;
  if (where.index >= 0) {
    place =
        fmt::format("record {} (index {}) of key \"{}\"", where.index + 1, where.index, where.key);
  } else if (!where.key.empty()) {
    place = fmt::format("key \"{}\"", where.key);
  } else {
    place = "the entry";
  }
  return fmt::format("without --continue-on-error the run would stop at {}{} ({}): {}", place,
                     user_id.empty() ? "" : " of user " + user_id, where.ToString(), reject.reason);
}

Status RejectRateCheck(int64_t read, int64_t rejected, double max_rate) {
  constexpr int64_t kMinimumSample = 100;
  if (read >= kMinimumSample &&
      static_cast<double>(rejected) > max_rate * static_cast<double>(read)) {
    return Status::Rejected(fmt::format("{} of {} records rejected: more than --max-reject-rate {}",
                                        rejected, read, max_rate));
  }
  return Status::OK();
}

Status UnitProcessor::CheckRejectRate() const {
  Status passed =
      RejectRateCheck(report_->TotalRead(), report_->TotalRejected(), options_.max_reject_rate);
  if (passed.ok() || !options_.dry_run) return passed;
  // A dry run reads on; without --continue-on-error the first reject said where it would stop.
  if (options_.continue_on_error && report_->would_stop.empty()) {
    report_->would_stop = "the run would stop here: " + passed.message();
  }
  return Status::OK();
}

Status UnitProcessor::RecordProblem(const Location& where, const Status& problem) {
  report_->problems++;
  report_->Entity("(source)").read++;  // a damaged entry is read, and rejected
  if (report_->problem_examples.size() < kMaxExamples) {
    report_->problem_examples.push_back(where.ToString() + ": " + problem.message());
  }
  ::ferry::Reject reject;
  reject.entity = "(source)";
  reject.where = where;
  reject.reason = problem.ToString();
  return Reject("", std::move(reject));
}

Status UnitProcessor::TakeLossy(const std::string& user_id, const Entry& entry, Route* route) {
  std::string detail = entry.lossy_detail.empty() ? "not well-formed UTF-16" : entry.lossy_detail;
  report_->lossy_entries++;
  if (report_->lossy_examples.size() < kMaxExamples) {
    report_->lossy_examples.push_back(fmt::format("{}: {}", entry.where.ToString(), detail));
  }
  if (!options_.strict_unicode) return Status::OK();
  ::ferry::Reject reject;
  reject.entity = route->entity ? route->entity->name : "(source)";
  report_->Entity(reject.entity).read++;  // the entry is read, and rejected whole
  reject.where = entry.where;
  reject.reason = fmt::format("origin \"{}\" key \"{}\": {}; rejected by --strict-unicode",
                              entry.origin, entry.key, detail);
  *route = Route{};
  return Reject(user_id, std::move(reject));
}

Status UnitProcessor::Process(const std::vector<Entry>& entries) {
  report_->units++;
  user_id_.clear();
  FERRY_ASSIGN_OR_RETURN(std::string user_id, UserIdFor(entries));
  user_id_ = user_id;
  if (options_.dry_run) return ProcessLocked(entries, user_id);
  // One run per (target, user): the lock is held while this unit's batches are written.
  FERRY_RETURN_IF_ERROR(loader_->LockUser(user_id));
  Status status = ProcessLocked(entries, user_id);
  Status unlocked = loader_->UnlockUser(user_id);
  return status.ok() ? unlocked : status;
}

Status UnitProcessor::ProcessLocked(const std::vector<Entry>& entries, const std::string& user_id) {
  parents_.clear();
  // Store extractors select --origin themselves (as OriginSelected: with or without the
  // scheme, Firefox's with its attributes); what has no origin (records) is never selected.
  unit_bytes_done_ = 0;
  rejected_parents_.clear();
  auto origin_selected = [this](const Entry& entry) {
    return options_.origins.empty() || !entry.origin.empty();
  };
  std::vector<Route> routes;
  routes.reserve(entries.size());
  std::set<std::string> origins;
  for (const Entry& entry : entries) {
    if (origin_selected(entry)) report_->duplicate_members += entry.overridden;
    routes.push_back(origin_selected(entry) ? RouteEntry(mapping_, entry) : Route{});
    report_->held.Count(origin_selected(entry), entry.key,
                        routes.back().entity ? &routes.back().entity->name : nullptr);
    if (entry.lossy && origin_selected(entry)) {
      FERRY_RETURN_IF_ERROR(TakeLossy(user_id, entry, &routes.back()));
      if (options_.strict_unicode) continue;  // rejected: neither loaded nor unmapped
    }
    if (routes.back().entity) {
      origins.insert(entry.origin);
    } else if (origin_selected(entry)) {
      report_->unmapped_keys++;
    }
  }
  if (origins.size() > 1) {
    std::string list;
    for (const std::string& origin : origins) list += (list.empty() ? "" : ", ") + origin;
    return Status::InvalidArgument(
        fmt::format("{}: mapped keys are held by several origins ({}); choose one with --origin",
                    entries.front().unit, list));
  }
  store_.clear();
  for (const Entry& entry : entries) {
    if (origin_selected(entry) && (origins.empty() || origins.count(entry.origin)) &&
        std::find(store_keys_.begin(), store_keys_.end(), entry.key) != store_keys_.end()) {
      store_[entry.key] = entry.value;
    }
  }
  for (const EntityMapping& entity : mapping_.entities) {
    if (!Selected(entity.name)) continue;
    report_->Entity(entity.name);
    EntityPass pass(this, entity, user_id);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (routes[i].entity != &entity) continue;
      FERRY_RETURN_IF_ERROR(pass.AddEntry(entries[i], routes[i].key_suffix));
    }
    FERRY_RETURN_IF_ERROR(pass.Flush());
  }
  return Status::OK();
}

}  // namespace ferry

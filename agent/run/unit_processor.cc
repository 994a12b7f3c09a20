#include "agent/run/unit_processor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "agent/run/assign_identities.h"
#include "agent/run/commit_batch.h"
#include "agent/run/entity_pass.h"
#include "agent/run/stop_signal.h"
#include "agent/run/unit_digest.h"
#include "agent/run/unit_user_id.h"
#include "agent/run/user_probe.h"
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

UnitProcessor::UnitProcessor(const MigrateOptions& options, const Mapping& mapping, Loader* loader,
                             RejectSink* rejects, RunReport* report)
    : options_(options),
      mapping_(mapping),
      loader_(loader),
      rejects_(rejects),
      report_(report),
      parents_(IdCheckBudget()),
      rejected_parents_(IdCheckBudget()),
      settings_digest_(SettingsDigest(options, mapping)) {
  for (const EntityMapping& entity : mapping_.entities) {
    for (const ColumnMapping& column : entity.columns) {
      if (column.source == ColumnSource::kStoreKey) store_keys_.push_back(column.field);
    }
  }
  rejected_reference_ = [this](const std::string& entity,
                               const std::string& legacy_id) -> std::optional<std::string> {
    return rejected_parents_.Find(entity, legacy_id);
  };
}

bool UnitProcessor::Selected(const std::string& entity) const {
  auto has = [&entity](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), entity) != list.end();
  };
  if (!options_.include.empty() && !has(options_.include)) return false;
  return !has(options_.exclude);
}

Result<std::string> UnitProcessor::UserIdFor(const UnitEntries& entries) const {
  return UnitUserId(options_, entries);
}

Status UnitProcessor::Reject(const std::string& user_id, ::ferry::Reject reject) {
  EntityCounts& counts = report_->Entity(reject.entity);
  counts.rejected++;
  if (recording_.on && recording_.rejects.size() <= static_cast<size_t>(kMaxMarkedRejects)) {
    recording_.rejects.emplace_back(user_id, reject);
  }
  if (checking_) {
    // Held until the unit's check knows whether they are its mark's rejects (ProcessMarked);
    // one past the most a mark counts is enough to know they are not its.
    if (++checking_->met <= kMaxMarkedRejects + 1) checking_->rejects.emplace_back(user_id, reject);
  } else {
    FERRY_RETURN_IF_ERROR(rejects_->Write(user_id, reject));
  }
  if (counts.examples_rejected.size() < kMaxExamples) counts.examples_rejected.push_back(reject);
  counts.GroupReject(reject);
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

Result<std::optional<int64_t>> UnitProcessor::SkipDigest(const UnitEntries& entries) const {
  if (options_.dry_run || options_.rescan || !settings_digest_ || entries.empty()) {
    return std::optional<int64_t>();
  }
  // Overwrite and merge compare each row with the target's, which may have changed since.
  for (const EntityMapping& entity : mapping_.entities) {
    ConflictPolicy policy = entity.conflict.value_or(
        options_.conflict.value_or(mapping_.conflict.value_or(ConflictPolicy::kSkip)));
    if (Selected(entity.name) && policy != ConflictPolicy::kSkip) return std::optional<int64_t>();
  }
  FERRY_ASSIGN_OR_RETURN(int64_t digest, UnitDigest(*settings_digest_, entries));
  return std::optional<int64_t>(digest);
}

void UnitProcessor::ReportUnchanged(const std::string& user_id, const std::string& unit,
                                    const std::string& run_id, int64_t rejects) {
  std::string user = user_id.empty() ? "" : " (user " + user_id + ")";
  std::string note;
  if (rejects == 0) {
    report_->unchanged_units++;
    note = fmt::format("{}{}: unchanged since run {}, skipped", unit, user, run_id);
  } else {
    report_->unchanged_units_with_rejects++;
    note = fmt::format(
        "{}{}: unchanged since run {} loaded it whole but for its {} reject(s): read and checked "
        "again, nothing written",
        unit, user, run_id, rejects);
  }
  spdlog::info("{}", note);
  if (report_->unchanged_unit_examples.size() < kMaxExamples) {
    report_->unchanged_unit_examples.push_back(std::move(note));
  }
}

Status UnitProcessor::ProcessMarked(const UnitEntries& entries, const std::string& user_id,
                                    int64_t digest, int64_t rejects, const std::string& run_id) {
  RunReport checked;
  RunReport* run_report = report_;
  report_ = &checked;
  checking_.emplace();
  Status status = ProcessLocked(entries, user_id, std::nullopt);
  report_ = run_report;
  MarkCheck check = std::move(*checking_);
  checking_.reset();
  FERRY_RETURN_IF_ERROR(status);
  if (check.met != rejects) {
    // Not the rejects the mark counted (the same bytes and settings give the same ones: a
    // safety net, never expected): loaded as a unit without a mark, its rejects said then.
    spdlog::warn("{}: its mark from run {} counts {} reject(s), {} met now: loaded again",
                 entries.unit(), run_id, rejects, check.met);
    return ProcessLocked(entries, user_id, digest);
  }
  for (const auto& [user, reject] : check.rejects) {
    FERRY_RETURN_IF_ERROR(rejects_->Write(user, reject));
  }
  report_->Merge(checked);
  ReportUnchanged(user_id, entries.unit(), run_id, rejects);
  return CheckRejectRate();
}

Status UnitProcessor::MarkUnitLoaded(const std::string& user_id, const std::string& unit,
                                     int64_t position, int64_t rejected_through, std::string kept) {
  // An empty batch: only its checkpoint is written, in a transaction of its own, and a retry
  // after a lost commit finds it as it finds any batch's (agent/run/retrying_loader.h).
  const EntityMapping* first = nullptr;
  for (const EntityMapping& entity : mapping_.entities) {
    if (Selected(entity.name)) {
      first = &entity;
      break;
    }
  }
  if (first == nullptr) return Status::OK();
  WriteBatch mark;
  mark.table = &first->table;
  mark.entity = first->name;
  mark.user_id = user_id;
  mark.policy = ConflictPolicy::kSkip;
  mark.checkpoint = Checkpoint{unit, kUnitDoneEntity, position};
  mark.unit_rejects = std::move(kept);
  if (writes_ == nullptr) return loader_->Write(mark).status();
  UnitWrites::Held held;
  held.batch = std::move(mark);
  // Alone: after the held batches were written one by one, which may have found rejects.
  held.write_alone = [this, rejected_through](WriteBatch alone) -> Result<BatchOutcome> {
    if (target_decided_reject_ || report_->TotalRejected() != rejected_through) {
      return BatchOutcome{};
    }
    return loader_->Write(alone);
  };
  return writes_->Add(std::move(held));
}

Status UnitProcessor::ProcessRead(const UnitEntries& entries) {
  report_->units++;
  user_id_.clear();
  FERRY_ASSIGN_OR_RETURN(std::string user_id, UserIdFor(entries));
  user_id_ = user_id;
  report_->users.insert(user_id);
  if (options_.dry_run) return ProcessLocked(entries, user_id, std::nullopt);
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> digest, SkipDigest(entries));
  // One run per (target, user): the lock is held while this unit's batches are written. Taken
  // before the mark is read, even for a unit that turns out unchanged: a run killed after its
  // mark but before its unlock left the lock behind, and taking it over here clears it.
  // With the run holding the user's lock (several of its units at once), this worker joins it.
  lock_lost_ = false;
  Status locked = lock_held_by_run_ ? loader_->JoinUser(user_id) : loader_->LockUser(user_id);
  lock_lost_ = lock_held_by_run_ && locked.IsUnavailable();
  FERRY_RETURN_IF_ERROR(locked);
  UnitMarks::Answer found;
  Status status = digest ? ReadMark(user_id, entries.unit(), &found) : Status::OK();
  const std::optional<StoredCheckpoint>& mark = found.mark;
  std::optional<int64_t> marked_rejects =
      mark ? MarkedRejects(*digest, mark->position) : std::nullopt;
  // Entries read without their values (a unit its bytes' digest may find unchanged) are read
  // again whole when the unit turns out to need them.
  std::optional<UnitEntries> whole;
  auto with_values = [&]() -> Result<const UnitEntries*> {
    if (!entries.values_deferred()) return &entries;
    if (!whole) {
      FERRY_ASSIGN_OR_RETURN(UnitEntries read, entries.Reload());
      whole.emplace(std::move(read));
    }
    return &*whole;
  };
  bool given = false;  // the unit's outcome given back from its mark, nothing read
  if (!status.ok()) {
  } else if (marked_rejects == 0) {
    ReportUnchanged(user_id, entries.unit(), mark->run_id, 0);
    status = CountHeld(entries);
    given = true;
  } else if (marked_rejects) {
    status = GiveBackKept(entries, user_id, &found, *marked_rejects, &given);
    if (status.ok() && !given) {
      Result<const UnitEntries*> read = with_values();
      status = read.ok() ? ProcessMarked(**read, user_id, *digest, *marked_rejects, mark->run_id)
                         : read.status();
    }
  } else {
    Result<const UnitEntries*> read = with_values();
    status = read.ok() ? ProcessLocked(**read, user_id, digest) : read.status();
  }
  if (options_.keys_suffice) options_.keys_suffice->store(given);
  Status unlocked = lock_held_by_run_ ? loader_->LeaveUser(user_id) : loader_->UnlockUser(user_id);
  return status.ok() ? unlocked : status;
}

Status UnitProcessor::CountHeld(const UnitEntries& entries) {
  for (const EntityMapping& entity : mapping_.entities) {
    if (Selected(entity.name)) report_->Entity(entity.name);  // listed, with nothing read
  }
  Entry scratch;
  for (size_t i = 0; i < entries.size(); ++i) {
    FERRY_ASSIGN_OR_RETURN(const Entry* entry, entries.Get(i, &scratch, /*with_value=*/false));
    bool selected = options_.origins.empty() || !entry->origin.empty();
    Route route = selected ? RouteEntry(mapping_, *entry) : Route{};
    report_->held.Count(selected, entry->key, route.entity ? &route.entity->name : nullptr);
    if (selected && !route.entity)
      ++(route.ignored ? report_->ignored_keys : report_->unmapped_keys);
  }
  return Status::OK();
}

Status UnitProcessor::ProcessLocked(const UnitEntries& entries, const std::string& user_id,
                                    std::optional<int64_t> digest) {
  // A database's tables are units of one user, parents first. A real run finds the parents of
  // the tables before in the id map; a dry run writes none, so it keeps them here while the
  // user stays the same (else every child of a database was rejected as an orphan).
  if (!options_.dry_run || user_id != parents_user_) {
    parents_.Clear();
    rejected_parents_.Clear();
  }
  parents_user_ = user_id;
  // One read for the whole user in place of two per entity (agent/run/user_probe.h); none for a
  // unit that is only checked (ProcessMarked), which reads nothing of the target.
  user_fresh_ = false;
  if (!checking_) {
    FERRY_RETURN_IF_ERROR(ProbeUserFresh(
        mapping_, [this](const std::string& name) { return Selected(name); }, loader_, user_id,
        &user_fresh_));
  }
  // From here every reject is the unit's, --strict-unicode's of a lossy entry too: the mark
  // counts them (loaders/unit_mark.h).
  target_decided_reject_ = false;
  const int64_t rejected_before = report_->TotalRejected();
  StartRecording(entries, digest.has_value() && !checking_);
  // Store extractors select --origin themselves (as OriginSelected: with or without the
  // scheme, Firefox's with its attributes); what has no origin (records) is never selected.
  unit_bytes_done_ = 0;
  auto origin_selected = [this](const Entry& entry) {
    return options_.origins.empty() || !entry.origin.empty();
  };
  std::set<std::string> origins;
  // How many keys each entity takes: its pass stops after the last (and a pass of none reads
  // nothing), so that routing every key again per entity costs no more than it must.
  std::vector<size_t> routed(mapping_.entities.size(), 0);
  Entry scratch;
  for (size_t i = 0; i < entries.size(); ++i) {
    FERRY_ASSIGN_OR_RETURN(const Entry* read, entries.Get(i, &scratch, /*with_value=*/false));
    const Entry& entry = *read;
    if (origin_selected(entry)) report_->duplicate_members += entry.overridden;
    Route route = origin_selected(entry) ? RouteEntry(mapping_, entry) : Route{};
    report_->held.Count(origin_selected(entry), entry.key,
                        route.entity ? &route.entity->name : nullptr);
    const bool lossy = entry.lossy && origin_selected(entry);
    if (lossy) FERRY_RETURN_IF_ERROR(TakeLossy(user_id, entry, &route));
    if (lossy && options_.strict_unicode) continue;  // rejected: neither loaded nor unmapped
    if (route.entity) {
      ++routed[static_cast<size_t>(route.entity - &mapping_.entities[0])];
      // An entity whose source names its origin takes only that origin's keys: no mix-up.
      if (route.entity->source.origin.empty()) origins.insert(entry.origin);
    } else if (origin_selected(entry)) {
      ++(route.ignored ? report_->ignored_keys : report_->unmapped_keys);
    }
  }
  if (origins.size() > 1) {
    std::string list;
    for (const std::string& origin : origins) list += (list.empty() ? "" : ", ") + origin;
    return Status::InvalidArgument(
        fmt::format("{}: mapped keys are held by several origins ({}); choose one with --origin",
                    entries.unit(), list));
  }
  store_.clear();
  if (!store_keys_.empty()) {
    for (size_t i = 0; i < entries.size(); ++i) {
      FERRY_ASSIGN_OR_RETURN(const Entry* keyed, entries.Get(i, &scratch, /*with_value=*/false));
      if (!origin_selected(*keyed) || (!origins.empty() && !origins.count(keyed->origin)) ||
          std::find(store_keys_.begin(), store_keys_.end(), keyed->key) == store_keys_.end()) {
        continue;
      }
      FERRY_ASSIGN_OR_RETURN(const Entry* entry, entries.Get(i, &scratch));
      store_[entry->key] = entry->value;
    }
  }
  refused_parents_.clear();
  writes_.reset();
  if (!options_.dry_run && !checking_) {
    // The overlap on PostgreSQL only, whose commits wait on a server: on SQLite (local syncs)
    // the one-user load measured slower with it on the shared 2-core machine, every pair
    // (docs/benchmarks.md, "one unit's overlap"): each batch's two hand-offs between threads
    // wait for a core longer than the reading they hide. CanWriteTogether is PostgreSQL's.
    writes_ = std::make_unique<UnitWrites>(loader_, static_cast<size_t>(options_.batch_size),
                                           /*overlap=*/loader_->CanWriteTogether());
  }
  // Each entity's pass lives until the unit's last batch has completed: the outcomes of its
  // held batches and of the batch in flight come back to it (rejects, counts).
  std::vector<std::unique_ptr<EntityPass>> passes;
  Status status = ProcessEntities(entries, routed, user_id, digest, rejected_before, &passes);
  if (writes_ != nullptr) {
    // The batch in flight commits (or fails) before the unit ends, its outcome counted, even
    // when the unit stops for a source error or a reject: what it committed is in the report.
    // Its failure came first in the source's order, so it is the one returned.
    Status completed = writes_->Complete();
    if (!completed.ok()) status = completed;
    writes_->Discard();  // a failed unit commits nothing more
  }
  return status;
}

const EntityMapping* UnitProcessor::RoutedEntity(const Entry& entry) const {
  // As ProcessLocked's first pass decides: a key outside --origin, or rejected by
  // --strict-unicode, goes to no entity.
  if (!options_.origins.empty() && entry.origin.empty()) return nullptr;
  if (entry.lossy && options_.strict_unicode) return nullptr;
  return RouteEntry(mapping_, entry).entity;
}

Status UnitProcessor::ProcessEntities(const UnitEntries& entries, const std::vector<size_t>& routed,
                                      const std::string& user_id, std::optional<int64_t> digest,
                                      int64_t rejected_before,
                                      std::vector<std::unique_ptr<EntityPass>>* passes_out) {
  std::vector<std::unique_ptr<EntityPass>>& passes = *passes_out;
  for (size_t e = 0; e < mapping_.entities.size(); ++e) {
    const EntityMapping& entity = mapping_.entities[e];
    if (!Selected(entity.name)) continue;
    report_->Entity(entity.name);
    passes.push_back(std::make_unique<EntityPass>(this, entity, user_id));
    EntityPass& pass = *passes.back();
    std::unique_ptr<Entry> spare;
    Entry keyed;
    size_t left = routed[e];
    for (size_t i = 0; i < entries.size() && left > 0; ++i) {
      // Routed again rather than remembered: 2 bytes a key would grow with the unit.
      FERRY_ASSIGN_OR_RETURN(const Entry* header, entries.Get(i, &keyed, /*with_value=*/false));
      if (RoutedEntity(*header) != &entity) continue;
      --left;
      if (!spare) spare = std::make_unique<Entry>();
      FERRY_ASSIGN_OR_RETURN(const Entry* entry, entries.Get(i, spare.get()));
      std::string key_suffix = RouteEntry(mapping_, *entry).key_suffix;
      if (entry != spare.get()) {
        FERRY_RETURN_IF_ERROR(pass.AddEntry(*entry, key_suffix));
      } else {
        FERRY_RETURN_IF_ERROR(pass.AddSpilledEntry(std::move(spare), key_suffix));
      }
    }
    FERRY_RETURN_IF_ERROR(pass.Flush());
    FERRY_RETURN_IF_ERROR(pass.LoadDeferred());
    pass.ReleaseIndexes();
  }
  // The batch in flight completes first: a reject the target decides in it counts.
  if (writes_ != nullptr) FERRY_RETURN_IF_ERROR(writes_->Complete());
  // Every entity written or held: the mark lets a rerun over the same bytes skip the unit, or,
  // with rejects, pass its valid records over (reading it again to say its rejects again: a
  // skipped unit would hide them behind a success exit). Not after a reject the target decided
  // (a reference the id map could not resolve, a row it refused): it may go otherwise next
  // time.
  const int64_t rejected = report_->TotalRejected() - rejected_before;
  if (digest && !target_decided_reject_ && rejected <= kMaxMarkedRejects) {
    const int64_t position = MarkPosition(*digest, rejected);
    // Kept in the mark's own transaction: no commit of their own, and a kill leaves both or
    // neither (a rerun takes them only for the mark of their run and position anyway).
    std::string kept = rejected > 0 ? KeptRejects(rejected) : std::string();
    FERRY_RETURN_IF_ERROR(MarkUnitLoaded(user_id, entries.unit(), position,
                                         rejected_before + rejected, std::move(kept)));
  }
  recording_ = Recording{};
  return writes_ != nullptr ? writes_->Flush() : Status::OK();
}

}  // namespace ferry

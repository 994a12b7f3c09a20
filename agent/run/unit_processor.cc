#include "agent/run/unit_processor.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "transformers/content_hash.h"
#include "transformers/datetime.h"
#include "transformers/field_path.h"
#include "transformers/map_record.h"
#include "transformers/records_of_value.h"
#include "transformers/route_entry.h"
#include "transformers/scalar_text.h"
#include "transformers/validate/schema_validator.h"

namespace ferry {

struct UnitProcessor::Pending {
  simdjson::dom::element record;
  std::string legacy_id;
  int64_t time_ms = -1;  // -1: no creation time; the ULID takes the current time
  Location where;
  const Entry* entry = nullptr;
  std::string key_suffix;
};

namespace {

bool SensitivePointer(const EntityMapping& entity, const std::string& pointer) {
  for (const std::string& path : entity.sensitive) {
    std::string sensitive = DottedPathToPointer(path);
    // Inside a sensitive field, or an ancestor holding one: either may show the secret.
    if (PointerIsWithin(pointer, path) ||
        (sensitive.compare(0, pointer.size(), pointer) == 0 &&
         (pointer.empty() || sensitive.size() == pointer.size() ||
          sensitive[pointer.size()] == '/'))) {
      return true;
    }
  }
  return false;
}

void AddExample(std::vector<std::string>* examples, const std::string& id) {
  if (examples->size() < kMaxExamples) examples->push_back(id);
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

  Status AddEntry(const Entry& entry, const std::string& key_suffix) {
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
    SourceShape shape =
        entry.shape == EntryShape::kRecord ? SourceShape::kRecord : entity_.source.shape;
    Status status = Status::OK();
    Status shape_status = RecordsOfValue(value, shape, [&](const RecordRef& ref) {
      if (status.ok()) status = AddRecord(ref, entry, key_suffix);
    });
    in_entry_ = false;
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

  Status Flush();

 private:
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

  Status RejectRecord(Location where, std::string pointer, std::string schema_location,
                      std::string reason, simdjson::dom::element record) {
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
  std::unordered_map<std::string, int64_t> first_index_;  // legacy id -> index of first record
};

Result<std::string> UnitProcessor::EntityPass::LegacyIdOf(const RecordRef& ref,
                                                          const Entry& entry,
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
    return RejectRecord(where, DottedPathToPointer(entity_.id_field), "",
                        legacy.status().message(), ref.record);
  }
  auto [it, fresh] = first_index_.try_emplace(*legacy, where.index);
  if (!fresh) {
    return RejectRecord(where, DottedPathToPointer(entity_.id_field), "",
                        it->second >= 0
                            ? fmt::format("duplicate id {}: the record at index {} has the same id",
                                          *legacy, it->second)
                            : fmt::format("duplicate id {}: an earlier record has the same id",
                                          *legacy),
                        ref.record);
  }
  Pending pending{ref.record, std::move(legacy).value(), -1, std::move(where), &entry, key_suffix};
  if (!entity_.time_field.empty()) {
    std::optional<simdjson::dom::element> time = FindField(ref.record, entity_.time_field);
    if (time && !time->is_null()) {
      std::optional<int64_t> ms;
      if (entity_.time_format == "epoch_ms") {
        if (time->is_int64()) ms = int64_t(*time);
      } else if (time->is_string()) {
        ms = ParseRfc3339Millis(std::string_view(*time));
      }
      if (!ms || *ms < 0 || static_cast<uint64_t>(*ms) > kUlidMaxTime) {
        first_index_.erase(pending.legacy_id);
        return RejectRecord(pending.where, DottedPathToPointer(entity_.time_field), "",
                            fmt::format("{} is not a usable creation time", entity_.time_field),
                            ref.record);
      }
      pending.time_ms = *ms;
    }
  }
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
  std::vector<std::string> ids;
  ids.reserve(pending_.size());
  for (const Pending& p : pending_) ids.push_back(p.legacy_id);
  std::vector<std::optional<KnownIdentity>> known;
  FERRY_RETURN_IF_ERROR(owner_->loader_->LookupIdentities(entity_.name, user_id_, ids, &known));

  ConflictPolicy policy =
      entity_.conflict.value_or(owner_->options_.conflict.value_or(
          owner_->mapping_.conflict.value_or(ConflictPolicy::kSkip)));
  WriteBatch batch;
  batch.table = &entity_.table;
  batch.entity = entity_.name;
  batch.user_id = user_id_;
  batch.policy = policy;
  auto& parent_ulids = owner_->parents_[entity_.name];
  ReferenceResolver resolve = [this](const std::string& entity,
                                     const std::string& legacy) -> std::optional<std::string> {
    auto& known_parents = owner_->parents_[entity];
    auto found = known_parents.find(legacy);
    if (found != known_parents.end()) return found->second;
    // A parent loaded by an earlier run (not in this unit) is in the target's id map.
    std::vector<std::optional<KnownIdentity>> parent;
    if (!owner_->loader_->LookupIdentities(entity, user_id_, {legacy}, &parent).ok() ||
        parent.empty() || !parent[0]) {
      return std::nullopt;
    }
    return parent[0]->ulid;
  };
  int64_t would_insert = 0, would_update = 0, skipped = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    std::string ulid;
    if (known[i]) {
      ulid = known[i]->ulid;
    } else if (entity_.ulid_column >= 0 || is_parent_) {
      uint64_t time = p.time_ms >= 0 ? static_cast<uint64_t>(p.time_ms) : UlidGenerator::NowMillis();
      Result<Ulid> made = owner_->ulids_.Generate(time);
      if (!made.ok()) {
        return made.status().WithContext(p.where.ToString());
      }
      ulid = EncodeUlid(*made);
    }
    RecordContext context{user_id_,     p.legacy_id,      ulid,         p.entry->key,
                          p.key_suffix, p.entry->origin, &owner_->store_};
    Row row;
    if (std::optional<::ferry::Reject> reject =
            MapRecord(entity_, p.record, context, resolve, &row)) {
      first_index_.erase(p.legacy_id);
      Location where = p.where;
      where.pointer = reject->where.pointer;
      reject->where = std::move(where);
      FERRY_RETURN_IF_ERROR(owner_->Reject(user_id_, std::move(*reject)));
      continue;
    }
    counts_.valid++;
    if (is_parent_ && !ulid.empty()) parent_ulids[p.legacy_id] = ulid;
    std::string hash = ContentHash(row);
    if (known[i] && (known[i]->content_hash == hash || policy == ConflictPolicy::kSkip)) {
      ++skipped;
      AddExample(&counts_.examples_skipped, p.legacy_id);
      continue;
    }
    if (known[i]) {
      ++would_update;
      AddExample(&counts_.examples_updated, p.legacy_id);
    } else {
      ++would_insert;
      AddExample(&counts_.examples_inserted, p.legacy_id);
    }
    batch.rows.push_back(std::move(row));
    batch.identities.push_back(IdentityRecord{p.legacy_id, ulid, std::move(hash)});
  }
  batch.checkpoint = Checkpoint{pending_.back().entry->unit, entity_.name,
                                pending_.back().where.index};
  counts_.skipped += skipped;
  pending_.clear();
  release_parsers();
  if (owner_->options_.dry_run || batch.rows.empty()) {
    counts_.inserted += would_insert;
    counts_.updated += would_update;
    return owner_->CheckRejectRate();
  }
  FERRY_ASSIGN_OR_RETURN(BatchOutcome outcome, owner_->loader_->Write(batch));
  counts_.inserted += outcome.inserted;
  counts_.updated += outcome.updated;
  counts_.skipped += outcome.skipped;
  counts_.merged += outcome.merged;
  return owner_->CheckRejectRate();
}

UnitProcessor::UnitProcessor(const MigrateOptions& options, const Mapping& mapping,
                             Loader* loader, RejectSink* rejects, RunReport* report)
    : options_(options), mapping_(mapping), loader_(loader), rejects_(rejects), report_(report) {
  for (const EntityMapping& entity : mapping_.entities) {
    for (const ColumnMapping& column : entity.columns) {
      if (column.source == ColumnSource::kStoreKey) store_keys_.push_back(column.field);
    }
  }
}

bool UnitProcessor::Selected(const std::string& entity) const {
  auto has = [&entity](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), entity) != list.end();
  };
  if (!options_.include.empty() && !has(options_.include)) return false;
  return !has(options_.exclude);
}

Result<std::string> UnitProcessor::UserIdFor(const std::vector<Entry>& entries) const {
  if (!options_.user_id.empty()) return options_.user_id;
  const std::string& from = options_.user_id_from;
  if (from == "filename") {
    if (entries.empty() || entries.front().user_hint.empty()) {
      return Status::InvalidArgument("--user-id-from filename: this source has no file name "
                                     "per user");
    }
    return entries.front().user_hint;
  }
  if (from.rfind("key:", 0) == 0) {
    std::string name = from.substr(4);
    for (const Entry& entry : entries) {
      if (entry.key != name) continue;
      simdjson::dom::parser parser;
      simdjson::dom::element value;
      if (parser.parse(entry.value).get(value) == simdjson::SUCCESS) {
        if (std::optional<std::string> text = ScalarToText(value)) return *text;
      }
      if (!entry.value.empty()) return entry.value;
    }
    return Status::Corruption(fmt::format("{}: no key \"{}\" holds a user id",
                                          entries.empty() ? "" : entries.front().unit, name));
  }
  return Status::InvalidArgument(
      "no user id: give --user-id ID, or --user-id-from filename|key:NAME");
}

Status UnitProcessor::Reject(const std::string& user_id, ::ferry::Reject reject) {
  EntityCounts& counts = report_->Entity(reject.entity);
  counts.rejected++;
  FERRY_RETURN_IF_ERROR(rejects_->Write(user_id, reject));
  if (counts.examples_rejected.size() < kMaxExamples) counts.examples_rejected.push_back(reject);
  if (!options_.continue_on_error) {
    return Status::Rejected(fmt::format(
        "{}: {}: {} — nothing of this batch was written; --continue-on-error loads the valid "
        "records and writes the rejects to a file",
        reject.entity, reject.where.ToString(), reject.reason));
  }
  return Status::OK();
}

Status UnitProcessor::CheckRejectRate() const {
  constexpr int64_t kMinimumSample = 100;
  int64_t read = report_->TotalRead();
  int64_t rejected = report_->TotalRejected();
  if (read >= kMinimumSample &&
      static_cast<double>(rejected) > options_.max_reject_rate * static_cast<double>(read)) {
    return Status::Rejected(fmt::format("{} of {} records rejected: more than --max-reject-rate {}",
                                        rejected, read, options_.max_reject_rate));
  }
  return Status::OK();
}

Status UnitProcessor::RecordProblem(const Location& where, const Status& problem) {
  report_->problems++;
  if (report_->problem_examples.size() < kMaxExamples) {
    report_->problem_examples.push_back(where.ToString() + ": " + problem.message());
  }
  ::ferry::Reject reject;
  reject.entity = "(source)";
  reject.where = where;
  reject.reason = problem.ToString();
  return Reject("", std::move(reject));
}

Status UnitProcessor::Process(const std::vector<Entry>& entries) {
  report_->units++;
  FERRY_ASSIGN_OR_RETURN(std::string user_id, UserIdFor(entries));
  parents_.clear();
  auto origin_selected = [this](const Entry& entry) {
    return options_.origins.empty() || std::find(options_.origins.begin(), options_.origins.end(),
                                                 entry.origin) != options_.origins.end();
  };
  std::vector<Route> routes;
  routes.reserve(entries.size());
  std::set<std::string> origins;
  for (const Entry& entry : entries) {
    routes.push_back(origin_selected(entry) ? RouteEntry(mapping_, entry) : Route{});
    if (routes.back().entity) {
      origins.insert(entry.origin);
    } else if (origin_selected(entry)) {
      report_->unmapped_keys++;
    }
  }
  if (origins.size() > 1) {
    std::string list;
    for (const std::string& origin : origins) list += (list.empty() ? "" : ", ") + origin;
    return Status::InvalidArgument(fmt::format(
        "{}: mapped keys are held by several origins ({}); choose one with --origin",
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

#include "agent/run/assign_identities.h"

#include <fmt/format.h>

#include <unordered_set>
#include <utility>

#include "transformers/content_hash.h"
#include "transformers/field_path.h"
#include "transformers/map_record.h"
#include "transformers/scalar_text.h"

namespace ferry {

namespace {

// A parent of this unit, else one loaded by an earlier run (the target's id map). What the id
// map said is remembered for the unit (an empty ULID: it has no such parent), so a legacy id
// referenced by many records costs one lookup: parents are loaded before their children, so
// the answer cannot change within the unit. A lookup that fails (after the loader's retries)
// is no answer: it goes to *failure, and the record must not be mapped as if the parent were
// missing (on_missing: null would store NULL, and later runs skip the record as known).
ReferenceResolver MakeResolver(const IdentityContext& context, Status* failure) {
  return [&context, failure](const std::string& entity,
                             const std::string& legacy) -> std::optional<std::string> {
    auto note = [failure](const Status& status) {
      if (!status.ok() && failure->ok()) *failure = status;
    };
    Result<std::optional<std::string>> known = context.parents->Find(entity, legacy);
    if (!known.ok()) {
      note(known.status());
      return std::nullopt;
    }
    if (*known) {
      if ((*known)->empty()) return std::nullopt;
      return std::move(*known);
    }
    if (context.user_fresh || (context.entity_fresh && entity == context.entity->name)) {
      // Not this unit's: not the target's either.
      note(context.parents->Put(entity, legacy, std::string()));
      return std::nullopt;
    }
    std::vector<std::optional<KnownIdentity>> parent;
    Status looked = context.loader->LookupIdentities(entity, *context.user_id, {legacy}, &parent);
    if (!looked.ok()) {
      note(looked.WithContext("looking up " + entity + " " + legacy));
      return std::nullopt;
    }
    std::string ulid = !parent.empty() && parent[0] ? parent[0]->ulid : std::string();
    note(context.parents->Put(entity, legacy, ulid));
    if (ulid.empty()) return std::nullopt;
    return ulid;
  };
}

// Asks the id map, in one lookup per parent entity, for every parent the records of `pending`
// reference that the unit does not know yet, and remembers each answer as MakeResolver would
// (an empty ULID: no such parent). A table of a database is a unit of its own, so its parents
// all come from the id map: one lookup per distinct parent cost a round trip each (14,000 for
// the 50,000-row test database). Self-references are left to the resolver: their parents are
// loaded by this entity as it goes.
Status PrefetchParents(const IdentityContext& context, const std::vector<PendingRecord>& pending) {
  const EntityMapping& entity = *context.entity;
  for (const ColumnMapping& column : entity.columns) {
    if (column.references.empty() || column.references == entity.name ||
        column.source != ColumnSource::kField) {
      continue;
    }
    std::vector<std::string> wanted;
    std::unordered_set<std::string> asked;
    for (const PendingRecord& p : pending) {
      std::optional<simdjson::dom::element> value = FindField(p.record, column.field);
      std::optional<std::string> legacy =
          value && !value->is_null() ? ScalarToText(*value) : std::nullopt;
      if (!legacy || !asked.insert(*legacy).second) continue;
      FERRY_ASSIGN_OR_RETURN(std::optional<std::string> known,
                             context.parents->Find(column.references, *legacy));
      if (known) continue;
      wanted.push_back(std::move(*legacy));
    }
    if (wanted.empty()) continue;
    if (context.user_fresh) {
      for (const std::string& legacy : wanted) {
        FERRY_RETURN_IF_ERROR(context.parents->Put(column.references, legacy, std::string()));
      }
      continue;
    }
    std::vector<std::optional<KnownIdentity>> found;
    FERRY_RETURN_IF_ERROR(
        context.loader->LookupIdentities(column.references, *context.user_id, wanted, &found)
            .WithContext(fmt::format("looking up {} {}{}", column.references, wanted.front(),
                                     wanted.size() > 1
                                         ? fmt::format(" and {} more", wanted.size() - 1)
                                         : std::string())));
    for (size_t i = 0; i < wanted.size() && i < found.size(); ++i) {
      FERRY_RETURN_IF_ERROR(context.parents->Put(column.references, wanted[i],
                                                 found[i] ? found[i]->ulid : std::string()));
    }
  }
  return Status::OK();
}

// A reject when the target cannot hold a cell of `row` (a time past year 9999, NUL on
// PostgreSQL): found here, per record and in a dry run too, rather than failing the batch.
std::optional<Reject> CheckCells(const Loader& loader, const EntityMapping& entity,
                                 const Row& row) {
  for (size_t i = 0; i < entity.columns.size() && i < row.cells.size(); ++i) {
    const ColumnMapping& column = entity.columns[i];
    Status held = loader.CheckCell(column.def, row.cells[i]);
    if (held.ok()) continue;
    Reject reject;
    reject.entity = entity.name;
    bool field = column.source == ColumnSource::kField;
    reject.where.pointer = field ? DottedPathToPointer(column.field) : std::string();
    reject.reason =
        fmt::format("{}: the target {}", field ? column.field : column.def.name, held.message());
    return reject;
  }
  return std::nullopt;
}

// The known ULID, else a new one when the entity has a ULID column or children need one.
Result<std::string> UlidFor(const IdentityContext& context, const PendingRecord& pending,
                            const std::optional<KnownIdentity>& known) {
  if (known) return known->ulid;
  if (context.entity->ulid_column < 0 && !context.is_parent) return std::string();
  uint64_t time =
      pending.time_ms >= 0 ? static_cast<uint64_t>(pending.time_ms) : UlidGenerator::NowMillis();
  Result<Ulid> made = context.ulids->Generate(time);
  if (!made.ok()) return made.status().WithContext(pending.where.ToString());
  return EncodeUlid(*made);
}

}  // namespace

Result<std::vector<AssignedRecord>> AssignIdentities(const IdentityContext& context,
                                                     const std::vector<PendingRecord>& pending) {
  const EntityMapping& entity = *context.entity;
  std::vector<std::string> ids;
  ids.reserve(pending.size());
  for (const PendingRecord& p : pending) ids.push_back(p.legacy_id);
  std::vector<std::optional<KnownIdentity>> known(ids.size());
  // A fresh user's (or entity's) records are all new to the id map.
  if (!context.user_fresh && !context.entity_fresh) {
    FERRY_RETURN_IF_ERROR(
        context.loader->LookupIdentities(entity.name, *context.user_id, ids, &known));
  }

  FERRY_RETURN_IF_ERROR(PrefetchParents(context, pending));
  Status lookup_failure;
  ReferenceResolver resolve = MakeResolver(context, &lookup_failure);
  std::vector<AssignedRecord> assigned;
  assigned.reserve(pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    const PendingRecord& p = pending[i];
    FERRY_ASSIGN_OR_RETURN(std::string ulid, UlidFor(context, p, known[i]));
    RecordContext record_context{*context.user_id, p.legacy_id,     ulid,
                                 p.entry->key,     p.key_suffix,    p.entry->origin,
                                 context.store,    context.rejected};
    AssignedRecord record;
    std::optional<Reject> reject =
        MapRecord(entity, p.record, record_context, resolve, &record.row);
    FERRY_RETURN_IF_ERROR(lookup_failure);  // the record's parents are unknown, not missing
    if (!reject) reject = CheckCells(*context.loader, entity, record.row);
    if (reject) {
      Location where = p.where;
      where.pointer = reject->where.pointer;
      reject->where = std::move(where);
      FERRY_RETURN_IF_ERROR(context.reject(p, std::move(*reject)));
      continue;
    }
    if (context.is_parent && !ulid.empty()) {
      FERRY_RETURN_IF_ERROR(context.parents->Put(entity.name, p.legacy_id, ulid));
    }
    record.identity =
        IdentityRecord{p.legacy_id, std::move(ulid), ContentHash(record.row), known[i].has_value()};
    record.known = std::move(known[i]);
    record.where = p.where;
    record.position = p.position;
    assigned.push_back(std::move(record));
  }
  return assigned;
}

}  // namespace ferry

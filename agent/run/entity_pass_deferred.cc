// The second pass of an entity that references itself (issue 18: tasks.parent_id). A record
// whose own-entity reference names a record met before it loads in the first pass, its
// reference resolved as any other; one that names a record not met yet (a forward reference)
// is held, as its JSON text, and loaded after the entity's other records, parents before
// children. Which records are held depends on the source's order alone, so a resumed run
// holds the same ones and their checkpoint positions (after the first pass's) name the same
// records.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "agent/run/entity_pass.h"
#include "transformers/field_path.h"
#include "transformers/scalar_text.h"

namespace ferry {

namespace {

// `entry` without its value (which may hold many records: never copied per record).
Entry HeaderOf(const Entry& entry) {
  Entry header;
  header.unit = entry.unit;
  header.user_hint = entry.user_hint;
  header.origin = entry.origin;
  header.key = entry.key;
  header.shape = entry.shape;
  header.where = entry.where;
  header.lossy = entry.lossy;
  header.exact_origin_json = entry.exact_origin_json;
  header.exact_key_json = entry.exact_key_json;
  header.lossy_detail = entry.lossy_detail;
  header.overridden = entry.overridden;
  return header;
}

}  // namespace

Result<bool> UnitProcessor::EntityPass::DeferForwardReference(const Pending& pending,
                                                              const Entry& entry) {
  if (!ReferencesItself(entity_)) return false;
  std::vector<std::string> parents;
  bool forward = false;
  for (const ColumnMapping& column : entity_.columns) {
    if (column.references != entity_.name || column.source != ColumnSource::kField) continue;
    std::optional<simdjson::dom::element> value = FindField(pending.record, column.field);
    std::optional<std::string> parent =
        value && !value->is_null() ? ScalarToText(*value) : std::nullopt;
    if (!parent) continue;
    // first_index_ holds this record already: a record naming itself is held too, and
    // rejected (or NULL) in the second pass, as a parent that is not there.
    if (!forward && *parent != pending.legacy_id) {
      FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> met, first_index_->Find(*parent));
      FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> held, deferred_ids_->Find(*parent));
      forward = !met || held.has_value();
    } else {
      forward = true;
    }
    parents.push_back(std::move(*parent));
  }
  if (!forward) return false;
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> twice, deferred_ids_->Find(pending.legacy_id));
  if (!twice) FERRY_RETURN_IF_ERROR(deferred_ids_->Insert(pending.legacy_id, 0));
  if (held_file_) {
    HeldRecord record{simdjson::minify(pending.record),
                      pending.legacy_id,
                      std::move(parents),
                      pending.time_ms,
                      pending.where,
                      HeaderOf(entry),
                      pending.key_suffix};
    FERRY_RETURN_IF_ERROR(held_file_->Add(record));
    return true;
  }
  if (deferred_headers_.empty() || deferred_headers_.back().unit != entry.unit ||
      deferred_headers_.back().key != entry.key ||
      deferred_headers_.back().origin != entry.origin) {
    Entry header = HeaderOf(entry);
    deferred_bytes_ += sizeof(Entry) + header.unit.size() + header.origin.size() +
                       header.key.size() + header.where.file.size() + header.lossy_detail.size();
    deferred_headers_.push_back(std::move(header));
  }
  deferred_.push_back(Deferred{simdjson::minify(pending.record), pending.legacy_id,
                               std::move(parents), pending.time_ms, pending.where,
                               &deferred_headers_.back(), pending.key_suffix});
  const Deferred& held = deferred_.back();
  deferred_bytes_ += sizeof(Deferred) + held.json.size() + held.legacy_id.size() +
                     held.where.file.size() + held.where.origin.size() + held.where.key.size() +
                     held.key_suffix.size();
  for (const std::string& parent : held.parents) deferred_bytes_ += sizeof parent + parent.size();
  if (deferred_bytes_ > IdCheckBudget()) FERRY_RETURN_IF_ERROR(SpillDeferred());
  return true;
}

Status UnitProcessor::EntityPass::SpillDeferred() {
  held_file_ = std::make_unique<HeldRecordFile>();
  for (Deferred& held : deferred_) {
    HeldRecord record{std::move(held.json),      std::move(held.legacy_id),
                      std::move(held.parents),   held.time_ms,
                      std::move(held.where),     *held.header,
                      std::move(held.key_suffix)};
    FERRY_RETURN_IF_ERROR(held_file_->Add(record));
  }
  std::vector<Deferred>().swap(deferred_);
  std::deque<Entry>().swap(deferred_headers_);
  deferred_bytes_ = 0;
  return Status::OK();
}

// Past the budget there is no graph in memory to order the held records by. Rounds over the
// file instead: a round loads, in the file's order, each record none of whose parents is still
// held (erasing it from deferred_ids_, so that its children later in the same round follow it),
// and writes the others to the next round's file; a round that loads nothing leaves only
// cycles and records naming themselves, loaded in their order as the in-memory order does.
// Memory is a batch and the files' buffers; the cost is one read of what is left per round,
// which is one round per level of a chain written children first (slower, never wrong).
Status UnitProcessor::EntityPass::LoadDeferredInRounds() {
  std::unique_ptr<HeldRecordFile> input = std::move(held_file_);
  auto next = std::make_unique<HeldRecordFile>();
  const size_t batch = static_cast<size_t>(std::max(1, owner_->options_.batch_size));
  std::vector<HeldRecord> loading;
  auto load = [this, &loading]() -> Status {
    std::deque<Entry> headers;
    std::vector<Deferred> records;
    records.reserve(loading.size());
    for (HeldRecord& record : loading) {
      headers.push_back(std::move(record.header));
      records.push_back(Deferred{std::move(record.json), std::move(record.legacy_id),
                                 std::move(record.parents), record.time_ms, std::move(record.where),
                                 &headers.back(), std::move(record.key_suffix)});
    }
    loading.clear();
    return LoadHeld(std::move(records));  // flushed before `headers` go
  };
  bool cycles_only = false;
  while (input->size() > 0) {
    bool loaded_any = false;
    input->Rewind();
    HeldRecord record;
    while (true) {
      FERRY_ASSIGN_OR_RETURN(bool more, input->Next(&record));
      if (!more) break;
      bool waits = false;
      for (const std::string& parent : record.parents) {
        if (cycles_only) break;
        FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> held, deferred_ids_->Find(parent));
        if (held) {
          waits = true;
          break;
        }
      }
      if (waits) {
        FERRY_RETURN_IF_ERROR(next->Add(record));
        continue;
      }
      FERRY_RETURN_IF_ERROR(deferred_ids_->Erase(record.legacy_id));
      loaded_any = true;
      loading.push_back(std::move(record));
      if (loading.size() >= batch) FERRY_RETURN_IF_ERROR(load());
    }
    FERRY_RETURN_IF_ERROR(load());
    if (!loaded_any) cycles_only = true;
    std::swap(input, next);
    FERRY_RETURN_IF_ERROR(next->Clear());
  }
  deferred_ids_ = std::make_unique<SpillingIdMap>(IdCheckBudget());
  return Status::OK();
}

Status UnitProcessor::EntityPass::LoadDeferred() {
  if (held_file_) return LoadDeferredInRounds();
  if (deferred_.empty()) return Status::OK();
  std::vector<Deferred> held = std::move(deferred_);
  deferred_.clear();
  deferred_bytes_ = 0;
  deferred_ids_ = std::make_unique<SpillingIdMap>(IdCheckBudget());
  // Kahn's order over the held records: each after the held records it names. Those left (a
  // cycle, a record naming itself) follow in their order; their references do not resolve.
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < held.size(); ++i) index.emplace(held[i].legacy_id, i);
  std::vector<size_t> waiting_on(held.size(), 0);
  std::vector<std::vector<size_t>> children(held.size());
  for (size_t i = 0; i < held.size(); ++i) {
    for (const std::string& parent : held[i].parents) {
      auto found = index.find(parent);
      if (found == index.end()) continue;
      ++waiting_on[i];
      children[found->second].push_back(i);
    }
  }
  std::vector<size_t> order;
  order.reserve(held.size());
  for (size_t i = 0; i < held.size(); ++i) {
    if (waiting_on[i] == 0) order.push_back(i);
  }
  for (size_t next = 0; next < order.size(); ++next) {
    for (size_t child : children[order[next]]) {
      if (--waiting_on[child] == 0) order.push_back(child);
    }
  }
  for (size_t i = 0; i < held.size(); ++i) {
    if (waiting_on[i] > 0) order.push_back(i);
  }
  std::vector<Deferred> ordered;
  ordered.reserve(held.size());
  for (size_t i : order) ordered.push_back(std::move(held[i]));
  return LoadHeld(std::move(ordered));
}

Status UnitProcessor::EntityPass::LoadHeld(std::vector<Deferred> records) {
  if (!deferred_parser_) deferred_parser_ = std::make_unique<simdjson::dom::parser>();
  const size_t batch = static_cast<size_t>(std::max(1, owner_->options_.batch_size));
  for (size_t start = 0; start < records.size(); start += batch) {
    size_t end = std::min(records.size(), start + batch);
    // One document for the batch: its records stay valid until the batch is flushed.
    std::string text = "[";
    for (size_t i = start; i < end; ++i) {
      text += (i == start ? "" : ",") + records[i].json;
    }
    text += "]";
    simdjson::dom::array array;
    if (deferred_parser_->parse(text).get(array) != simdjson::SUCCESS) {
      return Status::Internal("a held record did not read back as JSON");
    }
    size_t i = start;
    for (simdjson::dom::element record : array) {
      Deferred& held = records[i++];
      Pending pending{record,      std::move(held.legacy_id), held.time_ms, held.where,
                      held.header, std::move(held.key_suffix)};
      pending.position = ++records_seen_;  // after the first pass's: the same on a resume
      pending_.push_back(std::move(pending));
    }
    FERRY_RETURN_IF_ERROR(Flush());
  }
  return Status::OK();
}

}  // namespace ferry

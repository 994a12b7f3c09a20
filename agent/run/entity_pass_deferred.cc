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
      forward = !met || deferred_ids_.contains(*parent);
    } else {
      forward = true;
    }
    parents.push_back(std::move(*parent));
  }
  if (!forward) return false;
  if (deferred_headers_.empty() || deferred_headers_.back().unit != entry.unit ||
      deferred_headers_.back().key != entry.key ||
      deferred_headers_.back().origin != entry.origin) {
    Entry header = entry;
    header.value.clear();
    header.exact_value_json.clear();
    deferred_headers_.push_back(std::move(header));
  }
  deferred_ids_.insert(pending.legacy_id);
  deferred_.push_back(Deferred{simdjson::minify(pending.record), pending.legacy_id,
                               std::move(parents), pending.time_ms, pending.where,
                               &deferred_headers_.back(), pending.key_suffix});
  return true;
}

Status UnitProcessor::EntityPass::LoadDeferred() {
  if (deferred_.empty()) return Status::OK();
  std::vector<Deferred> held = std::move(deferred_);
  deferred_.clear();
  std::unordered_set<std::string>().swap(deferred_ids_);
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

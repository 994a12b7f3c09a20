#include "agent/inspect/inspect_scan.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <memory>
#include <optional>

#include "extractors/common/json_exact.h"
#include "extractors/registry.h"
#include "transformers/field_path.h"
#include "transformers/json_records.h"
#include "transformers/json_writer.h"
#include "transformers/records_of_value.h"
#include "transformers/route_entry.h"
#include "transformers/validate/schema_validator.h"

namespace ferry {

namespace {

// The kind of the legacy id of one record, as UnitProcessor would take it; nullopt when the
// id is the run's user id ($user), which the store does not hold.
std::optional<IdKind> IdKindOf(const EntityMapping& entity, const RecordRef& ref,
                               const Entry& entry, const Route& route) {
  const std::string& id = entity.id_field;
  if (id == "$key") return ClassifyIdText(entry.key);
  if (id == "$key_suffix") return ClassifyIdText(route.key_suffix);
  if (id == "$member") return ref.member ? ClassifyIdText(*ref.member) : IdKind::kMissing;
  if (id == "$user") return std::nullopt;
  std::optional<simdjson::dom::element> value = FindField(ref.record, id);
  return value ? ClassifyIdValue(*value) : IdKind::kMissing;
}

// Routes one entry and, when it is mapped, counts its records, valid records and ids.
void InspectEntry(const Mapping& mapping, const Entry& entry, simdjson::dom::parser* parser,
                  InspectReport* report, KeyFacts* facts) {
  Route route = RouteEntry(mapping, entry);
  if (route.entity == nullptr) return;
  const EntityMapping& entity = *route.entity;
  facts->entity = entity.name;
  EntityFacts& counts = report->entities[entity.name];
  ++counts.keys;
  SourceShape shape =
      entry.shape == EntryShape::kRecord ? SourceShape::kRecord : entity.source.shape;
  auto visit = [&](const RecordRef& ref) {
    ++facts->records;
    std::optional<IdKind> kind = IdKindOf(entity, ref, entry, route);
    if (kind) ++counts.id_kinds[static_cast<size_t>(*kind)];
    bool valid = kind != IdKind::kMissing &&
                 (!entity.validator || entity.validator->Validate(ref.record, 1).empty());
    facts->valid += valid ? 1 : 0;
  };
  if (shape == SourceShape::kText) {  // the text is the record, as migrate takes it
    std::string json;
    AppendJsonString(entry.value, &json);
    simdjson::dom::element value;
    if (parser->parse(json).get(value) == simdjson::SUCCESS) visit(RecordRef{value, -1, {}});
    counts.records += facts->records;
    counts.valid += facts->valid;
    return;
  }
  // As migrate reads it (transformers/json_records.h): record by record, so that one record
  // the parser refuses is one record that is not valid, not a key that is not JSON.
  Result<ScannedValue> scanned = ScanJsonRecords(entry.value, shape);
  std::string_view text = scanned.ok() ? scanned->Text(entry.value) : entry.value;
  simdjson::dom::element value;
  if (parser->parse(text.data(), text.size()).get(value) != simdjson::SUCCESS) {
    if (!scanned.ok()) {
      facts->json = false;
      ++counts.not_json;
      return;
    }
    simdjson::dom::parser own;
    for (const ScannedRecord& record : scanned->records) {
      simdjson::dom::element parsed;
      std::string_view record_text = text.substr(record.begin, record.end - record.begin);
      if (record.too_deep ||
          own.parse(record_text.data(), record_text.size()).get(parsed) != simdjson::SUCCESS) {
        ++facts->records;
        continue;
      }
      visit(RecordRef{parsed, record.index, record.member});
    }
    counts.records += facts->records;
    counts.valid += facts->valid;
    return;
  }
  Status shaped = RecordsOfValue(value, shape, visit);
  if (!shaped.ok()) {
    facts->json = false;
    ++counts.not_json;
  }
  counts.records += facts->records;
  counts.valid += facts->valid;
}

Status InspectSource(const std::string& argument, const InspectOptions& options,
                     const Mapping& mapping, InspectReport* report) {
  FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
  spec.origins = options.origins;
  spec.max_value_bytes = options.max_value_bytes;
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
  extractor->SetReporter([report](const Location& where, const Status& problem) {
    report->AddProblem(fmt::format("{}: {}", where.ToString(), problem.ToString()));
  });
  FERRY_RETURN_IF_ERROR(extractor->Open());
  report->sources.push_back(argument);
  simdjson::dom::parser parser;
  for (; extractor->Valid(); extractor->Next()) {
    const Entry& entry = extractor->entry();
    bool exact = entry.lossy && !(entry.exact_origin_json.empty() && entry.exact_key_json.empty() &&
                                  entry.exact_value_json.empty());
    OriginFacts& origin = report->Origin(argument, entry.unit,
                                         exact ? entry.exact_origin_json : JsonBody(entry.origin));
    KeyFacts facts;
    facts.key_json = exact ? entry.exact_key_json : JsonBody(entry.key);
    facts.value_bytes = static_cast<int64_t>(entry.value.size());
    if (entry.lossy) {
      facts.lossy_detail =
          entry.lossy_detail.empty() ? "not well-formed UTF-16" : entry.lossy_detail;
      ++report->lossy_entries;
    }
    InspectEntry(mapping, entry, &parser, report, &facts);
    origin.value_bytes += facts.value_bytes;
    origin.AddKey(std::move(facts), report->keys_as_json);
    ++report->entries;
  }
  return extractor->status();
}

}  // namespace

Status InspectSources(const InspectOptions& options, const Mapping& mapping,
                      InspectReport* report) {
  report->mapping = mapping.file;
  for (const EntityMapping& entity : mapping.entities) {
    report->entities[entity.name];
    report->entity_order.push_back(entity.name);
  }
  for (const std::string& argument : options.sources) {
    FERRY_RETURN_IF_ERROR(InspectSource(argument, options, mapping, report));
  }
  return Status::OK();
}

}  // namespace ferry

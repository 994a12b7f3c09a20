#include "agent/run/unit_rejects.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "transformers/json_writer.h"

namespace ferry {

std::string EncodeUnitRejects(const UnitRejects& kept) {
  std::string out = "{\"file\":";
  AppendJsonString(kept.file, &out);
  out += ",\"entities\":[";
  for (size_t i = 0; i < kept.entities.size(); ++i) {
    const UnitRejects::Counts& counts = kept.entities[i];
    out += i == 0 ? "[" : ",[";
    AppendJsonString(counts.entity, &out);
    out += fmt::format(",{},{}]", counts.read, counts.valid);
  }
  out += "],\"rejects\":[";
  for (size_t i = 0; i < kept.rejects.size(); ++i) {
    const auto& [user, reject] = kept.rejects[i];
    const Location& where = reject.where;
    out += i == 0 ? "[" : ",[";
    for (const std::string* text : {&user, &reject.entity, &where.file}) {
      AppendJsonString(*text, &out);
      out += ',';
    }
    out += fmt::format("{},{},{},", where.offset, where.line, where.column);
    AppendJsonString(where.origin, &out);
    out += ',';
    AppendJsonString(where.key, &out);
    out += fmt::format(",{},", where.index);
    for (const std::string* text : {&where.pointer, &reject.schema_location, &reject.reason}) {
      AppendJsonString(*text, &out);
      out += ',';
    }
    // The value is JSON text already; kept as a string so that it comes back byte for byte.
    if (reject.value) {
      AppendJsonString(*reject.value, &out);
    } else {
      out += "null";
    }
    out += ']';
  }
  out += "]}";
  return out;
}

namespace {

Status Malformed(std::string_view what) {
  return Status::InvalidArgument(fmt::format("a unit's kept rejects are malformed: {}", what));
}

}  // namespace

Result<UnitRejects> DecodeUnitRejects(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(body);
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) return Malformed("not JSON");
  UnitRejects kept;
  std::string_view file;
  simdjson::dom::array entities;
  simdjson::dom::array rejects;
  if (root["file"].get(file) || root["entities"].get(entities) || root["rejects"].get(rejects)) {
    return Malformed("a member is missing");
  }
  kept.file = std::string(file);
  for (simdjson::dom::element item : entities) {
    simdjson::dom::array row;
    std::string_view name;
    UnitRejects::Counts counts;
    if (item.get(row) || row.size() != 3 || row.at(0).get(name) || row.at(1).get(counts.read) ||
        row.at(2).get(counts.valid)) {
      return Malformed("an entity's counts");
    }
    counts.entity = std::string(name);
    kept.entities.push_back(std::move(counts));
  }
  for (simdjson::dom::element item : rejects) {
    simdjson::dom::array row;
    if (item.get(row) || row.size() != 13) return Malformed("a reject");
    std::string_view text[9];
    int64_t number[4];
    const size_t text_at[9] = {0, 1, 2, 6, 7, 9, 10, 11, 12};
    const size_t number_at[4] = {3, 4, 5, 8};
    bool has_value = !row.at(12).is_null();
    for (size_t i = 0; i < 9; ++i) {
      if (i == 8 && !has_value) break;
      if (row.at(text_at[i]).get(text[i])) return Malformed("a reject's text");
    }
    for (size_t i = 0; i < 4; ++i) {
      if (row.at(number_at[i]).get(number[i])) return Malformed("a reject's number");
    }
    Reject reject;
    reject.entity = std::string(text[1]);
    reject.where.file = std::string(text[2]);
    reject.where.offset = number[0];
    reject.where.line = number[1];
    reject.where.column = number[2];
    reject.where.origin = std::string(text[3]);
    reject.where.key = std::string(text[4]);
    reject.where.index = number[3];
    reject.where.pointer = std::string(text[5]);
    reject.schema_location = std::string(text[6]);
    reject.reason = std::string(text[7]);
    if (has_value) reject.value = std::string(text[8]);
    kept.rejects.emplace_back(std::string(text[0]), std::move(reject));
  }
  return kept;
}

}  // namespace ferry

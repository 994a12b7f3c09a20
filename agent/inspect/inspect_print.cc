#include "agent/inspect/inspect_print.h"

#include <fmt/format.h>

#include <iterator>
#include <sstream>

#include "agent/inspect/id_kind.h"
#include "extractors/common/json_exact.h"

namespace ferry {

namespace {

// Terminal-safe text: escapes as in JSON bodies, plus DEL and C1 controls as \u escapes.
std::string Printable(const std::string& body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    auto c = static_cast<unsigned char>(body[i]);
    if (c == 0x7F) {
      out += "\\u007f";
    } else if (c == 0xC2 && i + 1 < body.size() &&
               static_cast<unsigned char>(body[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(body[i + 1]) < 0xA0) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(body[++i]));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// A key's JSON body for the table: whole up to kMaxKeyBytesShown, else its start (never half a
// UTF-8 character or half an escape), "..." and its length, so that one 10 MB key does not
// print 10 MB (--json keeps it whole).
std::string KeyForTable(const std::string& body) {
  if (body.size() <= kMaxKeyBytesShown) return "\"" + Printable(body) + "\"";
  size_t cut = kMaxKeyBytesShown / 2;
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  size_t escape = body.rfind('\\', cut);
  if (escape != std::string::npos && cut - escape < 6) cut = escape;  // \uXXXX is 6 bytes
  return "\"" + Printable(body.substr(0, cut)) + "...\" (" + std::to_string(body.size()) +
         " bytes)";
}

std::string IdKindsText(const EntityFacts& facts) {
  std::string text;
  for (IdKind kind : kIdKinds) {
    int64_t count = facts.id_kinds[static_cast<size_t>(kind)];
    if (count > 0)
      text += fmt::format("{}{} {}", text.empty() ? "" : ", ", IdKindName(kind), count);
  }
  return text.empty() ? "-" : text;
}

void PrintKeys(const OriginFacts& origin, std::ostream& out) {
  out << fmt::format("  {:<32} {:>10}  {:<18} {:>8} {:>8}\n", "KEY", "BYTES", "ENTITY", "RECORDS",
                     "VALID");
  for (const KeyFacts& key : origin.keys) {
    std::string entity = key.entity.empty() ? "-" : key.entity;
    std::string records = key.entity.empty() ? "" : fmt::format("{}", key.records);
    std::string valid = key.entity.empty() ? "" : fmt::format("{}", key.valid);
    if (!key.entity.empty() && !key.json) records = "not JSON", valid = "";
    std::string line = fmt::format("  {:<32} {:>10}  {:<18} {:>8} {:>8}", KeyForTable(key.key_json),
                                   key.value_bytes, entity, records, valid);
    line.erase(line.find_last_not_of(' ') + 1);
    if (!key.lossy_detail.empty()) line += "  (" + key.lossy_detail + ")";
    out << line << "\n";
  }
  if (origin.key_count > static_cast<int64_t>(origin.keys.size())) {
    out << fmt::format("  ... {} more keys (--json lists every key)\n",
                       origin.key_count - static_cast<int64_t>(origin.keys.size()));
  }
}

void AppendString(const std::string& text, std::string* out) {
  out->push_back('"');
  AppendJsonBody(text, out);
  out->push_back('"');
}

}  // namespace

void PrintInspectTable(const InspectReport& report, std::ostream& out) {
  out << "mapping " << report.mapping << "\n";
  for (const OriginFacts& origin : report.origins) {
    out << fmt::format("\norigin \"{}\" in {}: {} keys, {} bytes\n", Printable(origin.origin_json),
                       Printable(JsonBody(origin.unit)), origin.key_count, origin.value_bytes);
    PrintKeys(origin, out);
  }
  if (report.origins.empty()) out << "\nno entries\n";
  out << fmt::format("\n{:<20} {:>6} {:>9} {:>8} {:>8}  {}\n", "ENTITY", "KEYS", "NOT JSON",
                     "RECORDS", "VALID", "ID TYPES");
  for (const std::string& name : report.entity_order) {
    const EntityFacts& facts = report.entities.at(name);
    out << fmt::format("{:<20} {:>6} {:>9} {:>8} {:>8}  {}\n", name, facts.keys, facts.not_json,
                       facts.records, facts.valid, IdKindsText(facts));
  }
  out << fmt::format(
      "\n{} entries in {} origin(s); {} not well-formed UTF-16; {} damaged part(s)\n",
      report.entries, report.origins.size(), report.lossy_entries, report.problems);
  for (const std::string& problem : report.problem_list) out << "  " << problem << "\n";
}

std::string InspectJson(const InspectReport& report) {
  std::ostringstream out;
  Status written = WriteInspectJson(report, out);
  return written.ok() ? out.str() : written.ToString();
}

Status WriteInspectJson(const InspectReport& report, std::ostream& stream) {
  std::string out = "{\"mapping\":";
  AppendString(report.mapping, &out);
  out += ",\"sources\":[";
  for (size_t i = 0; i < report.sources.size(); ++i) {
    if (i > 0) out += ',';
    AppendString(report.sources[i], &out);
  }
  out += "],\"origins\":[";
  for (size_t i = 0; i < report.origins.size(); ++i) {
    const OriginFacts& origin = report.origins[i];
    out += i > 0 ? ",{\"source\":" : "{\"source\":";
    AppendString(origin.source, &out);
    out += ",\"unit\":";
    AppendString(origin.unit, &out);
    out += ",\"origin\":\"" + origin.origin_json + "\"";
    fmt::format_to(std::back_inserter(out), ",\"value_bytes\":{},\"keys\":[", origin.value_bytes);
    if (!origin.keys_json_spilled.empty()) {
      stream << out;
      out.clear();
      for (const auto& [offset, size] : origin.keys_json_spilled) {
        FERRY_RETURN_IF_ERROR(origin.spill->CopyTo(offset, size, stream));
        // Passed on now: std::cout's TerminalSafeBuffer holds a line until its end or a
        // flush, and the document is one line. A part ends with a key's '}', never inside
        // a character.
        stream.flush();
      }
    }
    out += origin.keys_json;
    out += "]}";
  }
  out += "],\"entities\":{";
  for (size_t i = 0; i < report.entity_order.size(); ++i) {
    const std::string& name = report.entity_order[i];
    const EntityFacts& facts = report.entities.at(name);
    if (i > 0) out += ',';
    AppendString(name, &out);
    fmt::format_to(std::back_inserter(out),
                   ":{{\"keys\":{},\"not_json\":{},\"records\":{},\"valid\":{},\"id_types\":{{",
                   facts.keys, facts.not_json, facts.records, facts.valid);
    for (size_t k = 0; k < std::size(kIdKinds); ++k) {
      fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", k > 0 ? "," : "",
                     IdKindName(kIdKinds[k]), facts.id_kinds[static_cast<size_t>(kIdKinds[k])]);
    }
    out += "}}";
  }
  fmt::format_to(std::back_inserter(out),
                 "}},\"entries\":{},\"lossy_entries\":{},\"problems\":{},\"problem_list\":[",
                 report.entries, report.lossy_entries, report.problems);
  for (size_t i = 0; i < report.problem_list.size(); ++i) {
    if (i > 0) out += ',';
    AppendString(report.problem_list[i], &out);
  }
  out += "]}";
  stream << out;
  return Status::OK();
}

}  // namespace ferry

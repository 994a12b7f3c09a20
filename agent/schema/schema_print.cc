#include "agent/schema/schema_print.h"

#include <algorithm>
#include <cctype>

#include "loaders/schema_history.h"
#include "transformers/json_writer.h"

namespace ferry {

namespace {

using State = SchemaMigration::State;

std::string Padded(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string Annotated(const SchemaMigration& migration) {
  std::string description = migration.description;
  bool step = IsEvolution(migration.description);
  if (!migration.in_mapping) {
    description += " [not in this mapping]";
  } else if (migration.state == State::kChanged && !migration.refusal.empty()) {
    description += " [the mapping changed it: REFUSED, see below]";
  } else if (!migration.refusal.empty()) {
    description += step ? " [REFUSED, see below]" : " [exists: REFUSED, see below]";
  } else if (migration.state == State::kPending && step) {
    description += " [up applies it; the table keeps its rows]";
  } else if (migration.state == State::kPending && migration.exists) {
    description += " [exists: up adopts it as it is]";
  }
  return description;
}

void Field(const char* name, const std::string& value, std::string* out) {
  AppendJsonString(name, out);
  *out += ':';
  AppendJsonString(value, out);
  *out += ',';
}

void MigrationJson(const SchemaMigration& m, std::string* out) {
  std::string state = SchemaStateText(m.state);
  std::transform(state.begin(), state.end(), state.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  *out += "{\"version\":" + std::to_string(m.version) + ",";
  Field("state", state, out);
  Field("applied_at", m.applied_at, out);
  Field("description", m.description, out);
  Field("table", m.table, out);
  Field("checksum", m.checksum, out);
  Field("recorded_checksum", m.recorded_checksum, out);
  *out += std::string("\"exists\":") + (m.exists ? "true" : "false");
  *out += std::string(",\"in_mapping\":") + (m.in_mapping ? "true" : "false");
  *out += std::string(",\"adopted\":") + (m.adopted ? "true" : "false") + ",";
  AppendJsonString("refusal", out);
  *out += ':';
  AppendJsonString(m.refusal, out);
  *out += "}";
}

}  // namespace

const char* SchemaStateText(SchemaMigration::State state) {
  switch (state) {
    case State::kApplied:
      return "applied";
    case State::kPending:
      return "pending";
    case State::kChanged:
      return "CHANGED";
    case State::kMissing:
      return "MISSING";
  }
  return "pending";
}

bool IsSchemaDrift(const SchemaMigration& migration) {
  return migration.in_mapping &&
         (migration.state == State::kChanged || migration.state == State::kMissing);
}

std::string SchemaStatusText(const std::vector<SchemaMigration>& migrations) {
  std::vector<std::vector<std::string>> rows;
  for (const SchemaMigration& m : migrations) {
    bool pending = m.state == State::kPending;
    std::string checksum =
        m.state == State::kChanged ? m.recorded_checksum + " (now " + m.checksum + ")" : m.checksum;
    rows.push_back({pending && m.version == 0 ? "-" : std::to_string(m.version),
                    SchemaStateText(m.state), pending ? "-" : m.applied_at, Annotated(m),
                    checksum});
  }
  std::vector<size_t> widths(5, 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? Padded(row[i], widths[i]) + "  " : row[i];
    }
    text += line + "\n";
  }
  return text;
}

std::string SchemaUpText(const std::vector<SchemaMigration>& applied, const std::string& target) {
  if (applied.empty()) return "nothing to apply: " + target + " is up to date\n";
  std::string text;
  for (const SchemaMigration& m : applied) {
    text +=
        (m.adopted ? "adopted " : "applied ") + std::to_string(m.version) + "  " + m.description +
        (m.adopted ? " [the table existed; it is recorded as it is, never dropped]" : "") + "\n";
  }
  return text;
}

std::string SchemaDownText(const SchemaMigration& reverted) {
  if (IsEvolution(reverted.description)) {
    return "reverted " + std::to_string(reverted.version) + "  " + reverted.description +
           ": undone; table " + reverted.table + " stays with its rows\n";
  }
  if (reverted.adopted) {
    return "reverted " + std::to_string(reverted.version) + "  " + reverted.description +
           ": forgot the adoption; table " + reverted.table + " stays with its rows\n";
  }
  std::string what = reverted.exists ? "dropped table " + reverted.table
                                     : "table " + reverted.table + " was already gone";
  return "reverted " + std::to_string(reverted.version) + "  " + reverted.description + ": " +
         what + ", forgot its entity's id map and checkpoints\n";
}

std::string SchemaJson(const std::string& target, const std::string& mapping,
                       const std::string& key, const std::vector<SchemaMigration>& migrations,
                       bool single) {
  std::string out = "{";
  Field("target", target, &out);
  Field("mapping", mapping, &out);
  AppendJsonString(key, &out);
  out += ':';
  if (single) {
    if (migrations.empty()) {
      out += "null";
    } else {
      MigrationJson(migrations.front(), &out);
    }
  } else {
    out += '[';
    for (size_t i = 0; i < migrations.size(); ++i) {
      if (i > 0) out += ',';
      MigrationJson(migrations[i], &out);
    }
    out += ']';
  }
  return out + "}\n";
}

}  // namespace ferry

// ValidationJson (validation.h): the report `ferry validate --report FILE` writes.
#include <fmt/format.h>

#include "agent/validate/validation.h"
#include "transformers/json_writer.h"

namespace ferry {

namespace {

void Name(std::string* out, const char* name) {
  AppendJsonString(name, out);
  *out += ':';
}

void Text(std::string* out, const char* name, const std::string& value) {
  Name(out, name);
  AppendJsonString(value, out);
  *out += ',';
}

void Number(std::string* out, const char* name, int64_t value) {
  Name(out, name);
  *out += std::to_string(value) + ',';
}

void Texts(std::string* out, const char* name, const std::vector<std::string>& values) {
  Name(out, name);
  *out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) *out += ',';
    AppendJsonString(values[i], out);
  }
  *out += "],";
}

// Drops the comma after the last member, closing with `close`.
void Close(std::string* out, char close) {
  if (!out->empty() && out->back() == ',') out->pop_back();
  *out += close;
}

void AppendEntity(const EntityValidation& e, std::string* out) {
  *out += '{';
  Text(out, "entity", e.entity);
  Number(out, "valid", e.valid);
  Number(out, "equal", e.equal);
  Number(out, "missing", e.missing);
  Number(out, "differs", e.differs);
  Number(out, "kept", e.not_compared);
  Number(out, "rejected", e.rejected);
  Number(out, "target_rows", e.target_rows);
  Number(out, "extra", e.extra);
  Number(out, "ulids_checked", e.ulids_checked);
  Number(out, "bad_ulids", e.bad_ulids);
  Number(out, "ulid_times", e.ulid_times);
  if (!e.ulids_unchecked.empty()) Text(out, "ulids_unchecked", e.ulids_unchecked);
  Texts(out, "missing_examples", e.missing_examples);
  Name(out, "differs_examples");
  *out += '[';
  for (const ConflictExample& example : e.differs_examples) {
    *out += '{';
    Text(out, "legacy_id", example.legacy_id);
    Texts(out, "fields", example.fields);
    Number(out, "more_fields", static_cast<int64_t>(example.more_fields));
    Close(out, '}');
    *out += ',';
  }
  Close(out, ']');
  *out += ',';
  Texts(out, "ulid_examples", e.ulid_examples);
  Close(out, '}');
}

void AppendDangling(const DanglingFinding& finding, std::string* out) {
  *out += '{';
  Text(out, "entity", finding.entity);
  Text(out, "column", finding.column);
  Text(out, "parent", finding.parent);
  Number(out, "total", finding.total);
  Name(out, "examples");
  *out += '[';
  for (const DanglingReference& reference : finding.examples) {
    *out += '{';
    Text(out, "key", reference.key);
    Text(out, "value", reference.value);
    Close(out, '}');
    *out += ',';
  }
  Close(out, ']');
  Close(out, '}');
}

}  // namespace

std::string ValidationJson(const Validation& validation) {
  std::string out = "{";
  Text(&out, "run_id", validation.run_id);
  Text(&out, "compared", validation.compared);
  Text(&out, "read_from", validation.read_from);
  Number(&out, "differences", validation.Differences());
  Number(&out, "exit_code", validation.ExitCode());
  Name(&out, "entities");
  out += '[';
  for (const EntityValidation& entity : validation.entities) {
    AppendEntity(entity, &out);
    out += ',';
  }
  Close(&out, ']');
  out += ',';
  Name(&out, "dangling");
  out += '[';
  for (const DanglingFinding& finding : validation.dangling) {
    AppendDangling(finding, &out);
    out += ',';
  }
  Close(&out, ']');
  Close(&out, '}');
  return out + "\n";
}

}  // namespace ferry

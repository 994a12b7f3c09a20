#include "agent/propose/mapping_writer.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "agent/propose/entity_plan.h"
#include "agent/propose/yaml_text.h"

namespace ferry::propose {

namespace {

class Names {
 public:
  std::string Take(std::string wanted) {
    if (wanted.rfind("ferry_", 0) == 0) wanted = "app_" + wanted;  // ferry's own tables
    std::string name = wanted;
    for (int n = 2; !taken_.insert(name).second; ++n) name = fmt::format("{}_{}", wanted, n);
    return name;
  }

 private:
  std::set<std::string> taken_;
};

std::string List(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + YamlQuote(name);
  return "[" + list + "]";
}

void Write(const EntityPlan& plan, std::string* out) {
  *out += "\n";
  for (const std::string& comment : plan.comments) *out += "  # " + comment + "\n";
  *out += "  " + YamlQuote(plan.name) + ":\n";
  *out += "    source: " + plan.source + "\n";
  *out += "    schema: " + plan.schema + "\n";
  *out += "    id: " + plan.id + "\n";
  if (!plan.updated_field.empty()) *out += "    updated_field: " + plan.updated_field + "\n";
  if (!plan.sensitive.empty()) {
    *out += "    sensitive:  # never in a log, report or reject file, nor in a JSON column\n";
    for (const auto& [path, why] : plan.sensitive) {
      *out += "      - " + YamlQuote(path) + "  # " + CommentText(why) + "\n";
    }
  }
  *out += "    primary_key: " + List(plan.primary_key) + "\n";
  if (!plan.unique.empty()) *out += "    unique: [" + List(plan.unique) + "]\n";
  *out += "    columns:\n";
  for (const ColumnPlan& column : plan.columns) {
    *out += "      " + YamlQuote(column.name) + ": " + column.spec;
    if (!column.comment.empty()) *out += "  # " + column.comment;
    *out += "\n";
  }
}

}  // namespace

std::string ProposeMappingYaml(const std::vector<KeyGroup>& groups, const ProposeOptions& options) {
  std::string out = "# A mapping proposed by `ferry inspect --propose-mapping` from:\n";
  for (const std::string& source : options.sources) out += "#   " + CommentText(source, 200) + "\n";
  out +=
      "# Review it before a real run: entity and column names, types, ids and creation times\n"
      "# are guesses from the values seen. Every key of the sources is mapped below, or left\n"
      "# out under `ignore` with the reason. docs/mapping.md describes each setting.\n"
      "version: 1\n"
      "name: proposed\n"
      "entities:";
  Names names;
  std::string ignore;
  std::map<std::string, std::vector<std::string>> single_values;  // origin -> keys
  std::vector<std::string> origins_in_order;
  size_t entities = 0;
  for (const KeyGroup& group : groups) {
    std::string origin_part =
        options.several_origins ? ", origin: " + YamlQuote(group.origin) : std::string();
    std::string reason = group.secret;
    if (reason.empty() && group.prefix.empty() && group.key.empty()) {
      reason = "the empty key cannot be named in an entity's keys";
    }
    if (!reason.empty()) {
      std::string what = group.prefix.empty() ? "keys: [" + YamlQuote(group.key) + "]"
                                              : "key_prefix: " + YamlQuote(group.prefix);
      ignore += "  - {" + what + origin_part + ", reason: " + YamlQuote(reason) + "}\n";
      continue;
    }
    std::string wanted = SnakeName(group.prefix.empty() ? group.key : group.prefix);
    std::optional<EntityPlan> plan = PlanEntity(group, wanted, options.several_origins);
    if (!plan) {
      auto [it, fresh] = single_values.try_emplace(group.origin);
      if (fresh) origins_in_order.push_back(group.origin);
      it->second.push_back(group.key);
      continue;
    }
    plan->name = names.Take(plan->name);
    Write(*plan, &out);
    ++entities;
  }
  for (const std::string& origin : origins_in_order) {
    std::string name =
        names.Take(options.several_origins ? "local_values_" + SnakeName(origin) : "local_values");
    Write(PlanValuesEntity(name, origin, single_values[origin], options.several_origins), &out);
    ++entities;
  }
  if (entities == 0) out += " {}\n";  // refused by the loader: nothing to migrate
  out += "\n";
  if (!ignore.empty()) {
    out += "# Left out on purpose: migrate counts these keys as ignored, not as unmapped.\n";
    out += "ignore:\n" + ignore;
  }
  return out;
}

}  // namespace ferry::propose

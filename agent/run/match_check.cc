#include "agent/run/match_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "agent/inspect/inspect_scan.h"
#include "base/quoted.h"

namespace ferry {

namespace {

// "a, b, c", and "..." when `more` were left out.
std::string Joined(const std::vector<std::string>& items, bool more = false) {
  std::string list;
  for (const std::string& item : items) list += (list.empty() ? "" : ", ") + item;
  return more ? list + ", ..." : list;
}

bool EntitySelected(const MigrateOptions& options, const std::string& entity) {
  auto has = [&entity](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), entity) != list.end();
  };
  return (options.include.empty() || has(options.include)) && !has(options.exclude);
}

std::string MappedKeys(const Mapping& mapping) {
  std::vector<std::string> keys;
  for (const EntityMapping& entity : mapping.entities) {
    for (const std::string& key : entity.source.keys) keys.push_back(Quoted(key));
    if (!entity.source.key_prefix.empty()) keys.push_back(Quoted(entity.source.key_prefix + "*"));
  }
  return Joined(keys);
}

}  // namespace

// Read again only when refusing, so the second read costs nothing to a run that goes on.
std::string OriginsHeld(const std::vector<std::string>& sources) {
  InspectOptions inspect;
  inspect.sources = sources;
  InspectReport report;
  Status read = InspectSources(inspect, Mapping{}, &report);
  if (!read.ok()) {
    return fmt::format("(they could not be read again to list them: {})", read.message());
  }
  std::set<std::string> origins;
  for (const OriginFacts& origin : report.origins) origins.insert(origin.origin_json);
  origins.erase("");
  if (origins.empty()) {
    return "they hold no origin (json and ndjson records, and a dump of one origin's "
           "{key: value}, have none): run without --origin";
  }
  std::vector<std::string> listed;
  for (const std::string& origin : origins) {
    if (listed.size() == kMaxHeldNames) break;
    listed.push_back(Quoted(origin));
  }
  return "they hold " + Joined(listed, origins.size() > listed.size());
}

Status CheckSomethingMatched(const MigrateOptions& options, const Mapping& mapping,
                             const SourceHoldings& held) {
  if (!options.origins.empty() && held.selected_entries == 0) {
    std::vector<std::string> given;
    for (const std::string& origin : options.origins) given.push_back(Quoted(origin));
    return Status::InvalidArgument(
        fmt::format("--origin {} matches no origin of the sources, so nothing was loaded; {}",
                    Joined(given), OriginsHeld(options.sources)));
  }
  if (held.selected_entries > 0 && held.routed.empty()) {
    std::vector<std::string> keys;
    for (const std::string& key : held.unmapped_keys) keys.push_back(Quoted(key));
    return Status::InvalidArgument(fmt::format(
        "no key of the sources is one the mapping {} takes, so nothing was loaded: they hold "
        "{}; the mapping takes {}. Is this the right source, or does it need its own --mapping?",
        mapping.file, Joined(keys, held.unmapped_keys.size() >= kMaxHeldNames),
        MappedKeys(mapping)));
  }
  if (options.include.empty() && options.exclude.empty()) return Status::OK();
  std::vector<std::string> entities;
  for (const auto& [entity, keys] : held.routed) {
    if (EntitySelected(options, entity)) return Status::OK();
    entities.push_back(fmt::format("{} ({} key{})", entity, keys, keys == 1 ? "" : "s"));
  }
  if (entities.empty()) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "--include/--exclude leave no entity the sources hold, so nothing was loaded: they hold "
      "{}",
      Joined(entities)));
}

}  // namespace ferry

#include "agent/run/user_units.h"

#include <fmt/format.h>

#include <map>

namespace ferry {

namespace {

constexpr size_t kNamesListed = 5;

std::string ListNames(const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < kNamesListed; ++i) {
    list += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > kNamesListed)
    list += fmt::format(", and {} more", names.size() - kNamesListed);
  return list;
}

// What the stores are, for the message: one source's dumps or profiles, or several sources'.
std::string DescribeStores(const std::vector<std::pair<std::string, SourceUnits>>& sources,
                           const std::vector<std::string>& stores) {
  const std::pair<std::string, SourceUnits>* only = nullptr;
  for (const auto& source : sources) {
    if (!source.second.separate_stores || source.second.names.empty()) continue;
    if (only != nullptr) {
      return fmt::format("the sources hold {} separate stores ({})", stores.size(),
                         ListNames(stores));
    }
    only = &source;
  }
  bool dumps = !only->second.user_hints.empty() && !only->second.user_hints.front().empty();
  return fmt::format("{} holds {} {} ({}){}", only->first, stores.size(),
                     dumps ? "users' dumps" : "browser profiles", ListNames(stores),
                     dumps ? "" : ", each a localStorage of its own");
}

Status CheckOneUserId(const MigrateOptions& options,
                      const std::vector<std::pair<std::string, SourceUnits>>& sources) {
  std::vector<std::string> stores;
  bool profiles = false;
  for (const auto& [argument, units] : sources) {
    if (!units.separate_stores) continue;
    stores.insert(stores.end(), units.names.begin(), units.names.end());
    for (const std::string& hint : units.user_hints) profiles |= hint.empty();
  }
  if (stores.size() <= 1) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "{}: one --user-id would load them all as user \"{}\", and records of different stores "
      "with the same legacy id would collide (one skipped or overwritten by the other). Give "
      "each store its own user: --user-id-from filename (a dump's file name is its user) or "
      "--user-id-from key:NAME (a key each store holds names its user){}; or run each store "
      "on its own with its --user-id",
      DescribeStores(sources, stores), options.user_id,
      profiles ? "; for a browser, name one profile folder per run" : ""));
}

Status CheckFileNames(const std::vector<std::pair<std::string, SourceUnits>>& sources) {
  std::map<std::string, std::string> unit_of_user;
  for (const auto& [argument, units] : sources) {
    for (size_t i = 0; i < units.names.size(); ++i) {
      const std::string& user = i < units.user_hints.size() ? units.user_hints[i] : "";
      if (user.empty()) {
        return Status::InvalidArgument(fmt::format(
            "--user-id-from filename: {} has no file name per user ({} is not a dump file); "
            "use --user-id ID or --user-id-from key:NAME for it",
            argument, units.names[i]));
      }
      auto [it, fresh] = unit_of_user.emplace(user, units.names[i]);
      if (!fresh) {
        return Status::InvalidArgument(fmt::format(
            "--user-id-from filename: {} and {} both name user \"{}\", and would load as one "
            "user. Load them in separate runs if they are one user's, or rename one",
            it->second, units.names[i], user));
      }
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckUserUnits(const MigrateOptions& options,
                      const std::vector<std::pair<std::string, SourceUnits>>& sources) {
  if (!options.user_id.empty()) return CheckOneUserId(options, sources);
  if (options.user_id_from == "filename") return CheckFileNames(sources);
  if (options.user_id_from.empty()) {
    return Status::InvalidArgument(
        "no user id: give --user-id ID (one user), or --user-id-from filename|key:NAME (a user "
        "per dump or store)");
  }
  return Status::OK();
}

}  // namespace ferry

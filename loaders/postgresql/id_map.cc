#include "loaders/postgresql/id_map.h"

#include <pqxx/pqxx>
#include <unordered_map>

#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/pg_error.h"

namespace ferry::postgres {

Status LookupIdentities(Session* session, const std::string& entity, const std::string& user_id,
                        const std::vector<std::string>& legacy_ids,
                        std::vector<std::optional<KnownIdentity>>* out) {
  out->assign(legacy_ids.size(), std::nullopt);
  if (legacy_ids.empty()) {
    return Status::OK();
  }
  std::vector<std::optional<std::string>> elements;
  elements.reserve(legacy_ids.size());
  std::unordered_map<std::string, std::vector<size_t>> positions;
  for (size_t i = 0; i < legacy_ids.size(); ++i) {
    if (legacy_ids[i].find('\0') != std::string::npos) {
      continue;  // cannot be in a text column: unknown
    }
    std::vector<size_t>& at = positions[legacy_ids[i]];
    if (at.empty()) {
      elements.emplace_back(legacy_ids[i]);
    }
    at.push_back(i);
  }
  return Guarded("reading ferry.id_map for " + entity, session->secrets(), [&]() -> Status {
    pqxx::nontransaction txn(session->connection());
    pqxx::result rows = txn.exec_params(
        "SELECT legacy_id, ulid, content_hash, run_id FROM ferry.id_map "
        "WHERE user_id = $1 AND target_schema = $4 AND entity = $2 "
        "AND legacy_id = ANY($3::text[])",
        user_id, entity, ArrayLiteral(elements), session->schema());
    for (const auto& row : rows) {
      auto found = positions.find(std::string(row[0].c_str(), row[0].size()));
      if (found == positions.end()) {
        continue;
      }
      KnownIdentity known{std::string(row[1].c_str(), row[1].size()),
                          std::string(row[2].c_str(), row[2].size()),
                          std::string(row[3].c_str(), row[3].size())};
      for (size_t i : found->second) {
        (*out)[i] = known;
      }
    }
    return Status::OK();
  });
}

}  // namespace ferry::postgres

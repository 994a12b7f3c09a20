#include "loaders/postgresql/unit_rejects.h"

#include <pqxx/pqxx>

#include "loaders/postgresql/field_text.h"
#include "loaders/postgresql/pg_error.h"

namespace ferry::postgres {

void KeepUnitRejects(pqxx::work& txn, const std::string& schema, const std::string& user_id,
                     const std::string& unit, int64_t position, const std::string& body,
                     const std::string& run_id) {
  txn.exec_params0(
      "INSERT INTO ferry.unit_rejects (user_id, target_schema, unit, position, run_id, body, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, now()) "
      "ON CONFLICT (user_id, target_schema, unit) DO UPDATE SET "
      "position = excluded.position, run_id = excluded.run_id, "
      "body = excluded.body, updated_at = excluded.updated_at",
      user_id, schema, unit, position, run_id, body);
}

Status ReadUnitRejects(Session* session, const std::string& user_id, const std::string& unit,
                       std::optional<StoredUnitRejects>* out) {
  out->reset();
  return Guarded("reading ferry.unit_rejects of " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   // One statement, no transaction around it, as a checkpoint's read.
                   pqxx::nontransaction txn(session->connection());
                   pqxx::result rows = txn.exec_params(
                       "SELECT run_id, position, body FROM ferry.unit_rejects "
                       "WHERE user_id = $1 AND target_schema = $2 AND unit = $3",
                       user_id, session->schema(), unit);
                   if (!rows.empty()) {
                     *out = StoredUnitRejects{FieldText(rows[0][0]), rows[0][1].as<int64_t>(),
                                              FieldText(rows[0][2])};
                   }
                   return Status::OK();
                 });
}

}  // namespace ferry::postgres

#include "loaders/postgresql/unit_marks.h"

#include <optional>
#include <pqxx/pqxx>

#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/field_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/unit_mark.h"

namespace ferry::postgres {

Status ReadUnitMarks(Session* session, const std::vector<std::string>& units, size_t max_kept_bytes,
                     std::vector<StoredUnitMark>* out, bool* complete) {
  *complete = false;
  std::vector<std::optional<std::string>> names(units.begin(), units.end());
  // The kept row is the mark's user's: the join names no user of its own.
  auto read = [&](pqxx::transaction_base& txn) {
    pqxx::result rows = txn.exec_params(
        "SELECT c.user_id, c.unit, c.run_id, c.position, c.token, r.run_id, r.position, "
        "CASE WHEN octet_length(r.body) <= $4 THEN r.body END, r.user_id IS NOT NULL "
        "FROM ferry.checkpoints c LEFT JOIN ferry.unit_rejects r ON r.user_id = c.user_id "
        "AND r.target_schema = c.target_schema AND r.unit = c.unit "
        "WHERE c.target_schema = $1 AND c.entity = $2 AND c.unit = ANY($3::text[])",
        session->schema(), std::string(kUnitDoneEntity), ArrayLiteral(names),
        static_cast<int64_t>(max_kept_bytes));
    for (const auto& row : rows) {
      StoredUnitMark stored;
      stored.user_id = FieldText(row[0]);
      stored.unit = FieldText(row[1]);
      stored.mark = StoredCheckpoint{FieldText(row[2]), row[3].as<int64_t>()};
      stored.mark.token = FieldText(row[4]);
      if (row[8].as<bool>()) {
        if (row[7].is_null()) {
          stored.kept_left_out = true;
        } else {
          stored.kept =
              StoredUnitRejects{FieldText(row[5]), row[6].as<int64_t>(), FieldText(row[7])};
        }
      }
      out->push_back(std::move(stored));
    }
  };
  const std::string context = "reading the unit marks of " + session->display_name();
  if (session->keyed_checkpoints_seen()) {
    *complete = true;
    if (units.empty()) return Status::OK();
    // One statement, no transaction around it, as a checkpoint's read.
    return Guarded(context, session->secrets(), [&]() -> Status {
      pqxx::nontransaction txn(session->connection());
      read(txn);
      return Status::OK();
    });
  }
  // Once per session, as ReadCheckpoint: are the bookkeeping tables there, keyed by schema?
  return Guarded(context, session->secrets(), [&]() -> Status {
    pqxx::read_transaction txn(session->connection());
    if (!txn.exec1("SELECT to_regclass('ferry.checkpoints') IS NOT NULL")[0].as<bool>()) {
      *complete = true;  // no checkpoint, no mark
      return Status::OK();
    }
    if (!KeyedBookkeeping(txn)) return Status::OK();  // an older ferry's: each read alone
    session->NoteKeyedCheckpoints();
    *complete = true;
    if (!units.empty()) read(txn);
    return Status::OK();
  });
}

}  // namespace ferry::postgres

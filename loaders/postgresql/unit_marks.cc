#include "loaders/postgresql/unit_marks.h"

#include <optional>
#include <pqxx/pqxx>

#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/field_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/run_history.h"
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
  if (units.empty() && session->keyed_checkpoints_seen()) {
    *complete = true;
    return Status::OK();
  }
  // Checked once per session, as ReadCheckpoint's: an older ferry's table is read unit by unit.
  CheckpointsTable found;
  FERRY_RETURN_IF_ERROR(ReadKeyedCheckpoints(
      session, "reading the unit marks of " + session->display_name(),
      [&](pqxx::transaction_base& txn) {
        if (!units.empty()) read(txn);
      },
      &found));
  *complete = found != CheckpointsTable::kOlder;
  return Status::OK();
}

}  // namespace ferry::postgres

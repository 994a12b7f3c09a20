#include "loaders/postgresql/rollback_writer.h"

#include <array>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <vector>

#include "base/fault_point.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

namespace {

// A cell as an SQL literal of its column's type (NULL, or quoted text the column reads).
Result<std::string> Literal(const ColumnDef& column, const Cell& cell) {
  FERRY_ASSIGN_OR_RETURN(std::optional<std::string> text, CellText(column, cell));
  return text ? QuoteLiteral(*text) : std::string("NULL");
}

// Rows put back per statement: a rollback of a million rows sent a million statements (2,223 s,
// docs/benchmarks.md); a statement of this many rows (or kBatchBytes of SQL) sends a thousandth.
constexpr size_t kBatchRows = 1000;
constexpr size_t kBatchBytes = size_t{4} << 20;

// One table's rows to put back, gathered into two multi-row statements: a DELETE of the keys
// that were absent before the run, an upsert of the rows that were there. Each address comes
// once from the stream (the first pre-image of each row), so no statement touches a row twice.
class TableBatch {
 public:
  TableBatch(const TableDef& table, const std::string& schema)
      : table_(table), name_(QualifiedName(schema, table.name)) {}

  // Adds `image`; sets *full when a statement is due.
  Status Add(const PreImage& image, bool* full) {
    if (image.key.cells.size() != table_.primary_key.size()) {
      return Status::Corruption("a pre-image's key does not fit table " + table_.name);
    }
    if (!image.present) {
      std::string key;
      FERRY_RETURN_IF_ERROR(KeyTuple(image.key, &key));
      deletes_ += (delete_count_++ == 0 ? "" : ", ") + key;
    } else {
      if (image.row.cells.size() != table_.columns.size()) {
        return Status::Corruption("a pre-image of table " + table_.name + " has " +
                                  std::to_string(image.row.cells.size()) + " cells, the table " +
                                  std::to_string(table_.columns.size()) + " columns");
      }
      upserts_ += upsert_count_++ == 0 ? "(" : ", (";
      for (size_t c = 0; c < table_.columns.size(); ++c) {
        FERRY_ASSIGN_OR_RETURN(std::string value, Literal(table_.columns[c], image.row.cells[c]));
        upserts_ += (c == 0 ? "" : ", ") + value;
      }
      upserts_ += ')';
    }
    *full = delete_count_ >= kBatchRows || upsert_count_ >= kBatchRows ||
            deletes_.size() + upserts_.size() >= kBatchBytes;
    return Status::OK();
  }

  // Sends the pending DELETE (absent rows first: a key the run took from a row it also
  // changed is free again before that row comes back).
  Status FlushDeletes(pqxx::work& txn) {
    if (delete_count_ == 0) return Status::OK();
    std::string columns;
    for (size_t k = 0; k < table_.primary_key.size(); ++k) {
      columns += (k == 0 ? "" : ", ") + QuoteIdentifier(table_.primary_key[k]);
    }
    txn.exec("DELETE FROM " + name_ + " WHERE (" + columns + ") IN (" + deletes_ + ")");
    deletes_.clear();
    delete_count_ = 0;
    return Status::OK();
  }

  Status FlushUpserts(pqxx::work& txn) {
    if (upsert_count_ == 0) return Status::OK();
    std::string columns, updates, key_list;
    for (size_t c = 0; c < table_.columns.size(); ++c) {
      std::string column = QuoteIdentifier(table_.columns[c].name);
      columns += (c == 0 ? "" : ", ") + column;
      updates += (c == 0 ? "" : ", ") + column + " = EXCLUDED." + column;
    }
    for (size_t k = 0; k < table_.primary_key.size(); ++k) {
      key_list += (k == 0 ? "" : ", ") + QuoteIdentifier(table_.primary_key[k]);
    }
    txn.exec("INSERT INTO " + name_ + " (" + columns + ") VALUES " + upserts_ + " ON CONFLICT (" +
             key_list + ") DO UPDATE SET " + updates);
    upserts_.clear();
    upsert_count_ = 0;
    return Status::OK();
  }

 private:
  // "(v1, v2)": the key's cells as literals of their columns' types.
  Status KeyTuple(const Row& key, std::string* out) const {
    *out = "(";
    for (size_t k = 0; k < table_.primary_key.size(); ++k) {
      int index = table_.ColumnIndex(table_.primary_key[k]);
      if (index < 0) return Status::Internal("table " + table_.name + ": no key column");
      FERRY_ASSIGN_OR_RETURN(std::string value, Literal(table_.columns[index], key.cells[k]));
      *out += (k == 0 ? "" : ", ") + value;
    }
    *out += ')';
    return Status::OK();
  }

  const TableDef& table_;
  std::string name_;
  std::string deletes_;  // "(k1, k2), (k1, k2)..."
  size_t delete_count_ = 0;
  std::string upserts_;  // "(c1, c2, ...), (...)..."
  size_t upsert_count_ = 0;
};

// The id map's rows to put back, as text arrays: one DELETE and one upsert per kBatchRows.
class IdentityBatch {
 public:
  explicit IdentityBatch(std::string schema) : schema_(std::move(schema)) {}

  // Adds `image` (kIdentity); sets *full when a statement is due.
  void Add(const PreImage& image, bool* full) {
    if (!image.present) {
      gone_[0].emplace_back(image.user_id);
      gone_[1].emplace_back(image.entity);
      gone_[2].emplace_back(image.legacy_id);
    } else {
      const std::string* fields[] = {&image.user_id, &image.entity,       &image.legacy_id,
                                     &image.ulid,    &image.content_hash, &image.run_id};
      for (size_t i = 0; i < back_.size(); ++i) back_[i].emplace_back(*fields[i]);
    }
    *full = gone_[0].size() >= kBatchRows || back_[0].size() >= kBatchRows;
  }

  void Flush(pqxx::work& txn) {
    if (!gone_[0].empty()) {
      txn.exec_params(
          "DELETE FROM ferry.id_map m USING unnest($1::text[], $2::text[], $3::text[]) AS "
          "d(user_id, entity, legacy_id) WHERE m.user_id = d.user_id AND m.target_schema = $4 "
          "AND m.entity = d.entity AND m.legacy_id = d.legacy_id",
          ArrayLiteral(gone_[0]), ArrayLiteral(gone_[1]), ArrayLiteral(gone_[2]), schema_);
      for (auto& column : gone_) column.clear();
    }
    if (!back_[0].empty()) {
      txn.exec_params(
          "INSERT INTO ferry.id_map (user_id, target_schema, entity, legacy_id, ulid, "
          "content_hash, run_id, updated_at) SELECT d.user_id, $7, d.entity, d.legacy_id, d.ulid, "
          "d.content_hash, d.run_id, now() FROM unnest($1::text[], $2::text[], $3::text[], "
          "$4::text[], $5::text[], $6::text[]) AS d(user_id, entity, legacy_id, ulid, "
          "content_hash, run_id) ON CONFLICT (user_id, target_schema, entity, legacy_id) DO "
          "UPDATE SET ulid = EXCLUDED.ulid, content_hash = EXCLUDED.content_hash, run_id = "
          "EXCLUDED.run_id, updated_at = EXCLUDED.updated_at",
          ArrayLiteral(back_[0]), ArrayLiteral(back_[1]), ArrayLiteral(back_[2]),
          ArrayLiteral(back_[3]), ArrayLiteral(back_[4]), ArrayLiteral(back_[5]), schema_);
      for (auto& column : back_) column.clear();
    }
  }

 private:
  using Column = std::vector<std::optional<std::string>>;
  std::string schema_;
  std::array<Column, 3> gone_;  // user, entity, legacy id
  std::array<Column, 6> back_;  // ... and ulid, content hash, run id
};

// A checkpoint put back: one statement each (a run has one per user, entity and unit).
void PutCheckpointBack(pqxx::work& txn, const std::string& schema, const PreImage& image) {
  if (!image.present) {
    txn.exec_params(
        "DELETE FROM ferry.checkpoints WHERE user_id = $1 AND target_schema = $2 AND entity = $3 "
        "AND unit = $4",
        image.user_id, schema, image.entity, image.unit);
    return;
  }
  txn.exec_params(
      "INSERT INTO ferry.checkpoints (user_id, target_schema, entity, unit, position, run_id, "
      "token, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', now()) ON CONFLICT (user_id, "
      "target_schema, entity, unit) DO UPDATE SET position = EXCLUDED.position, run_id = "
      "EXCLUDED.run_id, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at",
      image.user_id, schema, image.entity, image.unit, image.position, image.run_id);
}

}  // namespace

Status ApplyRollback(Session* session, const std::string& run_id,
                     const std::vector<const TableDef*>& tables, PreImageStream& images,
                     const std::string& detail) {
  std::map<std::string, const TableDef*> by_name;
  for (const TableDef* table : tables) by_name[table->name] = table;
  const std::string context = "rolling back run " + run_id;
  return Guarded(context, session->secrets(), [&]() -> Status {
    pqxx::work txn(session->connection());
    std::map<std::string, TableBatch> batches;
    IdentityBatch identities(session->schema());
    // Every table's pending DELETEs go before any upsert (see TableBatch::FlushDeletes).
    auto flush_all = [&]() -> Status {
      for (auto& [name, batch] : batches) FERRY_RETURN_IF_ERROR(batch.FlushDeletes(txn));
      for (auto& [name, batch] : batches) FERRY_RETURN_IF_ERROR(batch.FlushUpserts(txn));
      identities.Flush(txn);
      return Status::OK();
    };
    // A statement's exception passes through ForEach to Guarded, which owns the txn's end.
    FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage& image) -> Status {
      bool full = false;
      if (image.kind == PreImage::Kind::kCheckpoint) {
        PutCheckpointBack(txn, session->schema(), image);
        return Status::OK();
      }
      if (image.kind == PreImage::Kind::kIdentity) {
        identities.Add(image, &full);
        return full ? flush_all() : Status::OK();
      }
      auto found = by_name.find(image.table);
      if (found == by_name.end()) {
        return Status::InvalidArgument(context + ": the run wrote table " + image.table +
                                       ", which the mapping does not have (--mapping)");
      }
      auto batch = batches.try_emplace(image.table, *found->second, session->schema()).first;
      FERRY_RETURN_IF_ERROR(batch->second.Add(image, &full));
      return full ? flush_all() : Status::OK();
    }));
    FERRY_RETURN_IF_ERROR(flush_all());
    pqxx::result changed = txn.exec_params("UPDATE ferry.runs SET status = $2 WHERE run_id = $1",
                                           run_id, kRolledBackStatus);
    if (changed.affected_rows() == 0) {
      return Status::NotFound("run " + run_id + " is not in ferry.runs");
    }
    // The rejects the run kept beside its marks (bookkeeping 5) go with them: a mark put back
    // is an earlier run's, and its unit is read again (docs/reliability.md, "Rerun").
    if (txn.exec1("SELECT to_regclass('ferry.unit_rejects') IS NOT NULL")[0].as<bool>()) {
      txn.exec_params("DELETE FROM ferry.unit_rejects WHERE run_id = $1 AND target_schema = $2",
                      run_id, session->schema());
    }
    Audit(txn, run_id, "rollback", detail);
    FaultPoint("rollback.before_commit");
    txn.commit();
    return Status::OK();
  });
}

}  // namespace ferry::postgres

#include "loaders/postgresql/postgres_loader.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "loaders/postgresql/batch_writer.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/id_map.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/row_reader.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry {

namespace {

using postgres::Session;

// The advisory lock that serializes ferry's DDL (the same as bookkeeping.cc's).
constexpr const char* kDdlLock = "SELECT pg_advisory_xact_lock(435711599225)";

Status CheckTables(const std::vector<const TableDef*>& tables) {
  for (const TableDef* table : tables) {
    if (table == nullptr) {
      return Status::Internal("EnsureSchema was given a null table");
    }
    FERRY_RETURN_IF_ERROR(postgres::CheckTableDef(*table));
  }
  return Status::OK();
}

class PostgresLoader final : public Loader {
 public:
  explicit PostgresLoader(TargetSpec spec) : spec_(std::move(spec)) {}

  Status Check(bool dry_run) override;
  Status BeginRun(const RunInfo& run) override;
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Result<BatchOutcome> Write(const WriteBatch& batch) override;
  Status FinishRun(const RunTotals& totals) override;

 private:
  // The session, reconnecting when an earlier error dropped it.
  Result<Session*> Connected();
  // Passes `status` on; a transient failure drops the connection, which may be broken.
  Status Track(Status status);

  const TargetSpec spec_;
  bool checked_ = false;
  bool dry_run_ = false;
  bool id_map_exists_ = false;
  std::string run_id_;
  std::set<std::string> ensured_tables_;   // names EnsureSchema has seen
  std::set<std::string> existing_tables_;  // of those, the ones in the target
  std::unique_ptr<Session> session_;
  std::unique_ptr<postgres::BatchWriter> writer_;  // uses session_: reset before it
};

Result<Session*> PostgresLoader::Connected() {
  if (session_ == nullptr) {
    writer_.reset();
    FERRY_ASSIGN_OR_RETURN(session_, Session::Open(spec_.url));
  }
  return session_.get();
}

Status PostgresLoader::Track(Status status) {
  if (status.IsUnavailable()) {
    writer_.reset();
    session_.reset();
  }
  return status;
}

Status PostgresLoader::Check(bool dry_run) {
  writer_.reset();
  session_.reset();
  checked_ = false;
  dry_run_ = dry_run;
  ensured_tables_.clear();
  existing_tables_.clear();
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::CheckBookkeeping(session, &id_map_exists_);
  if (!status.ok()) {
    return Track(status);
  }
  checked_ = true;
  spdlog::debug("PostgreSQL target {}: server {}, tables in schema \"{}\"", session->display_name(),
                session->server_version(), session->schema());
  return Status::OK();
}

Status PostgresLoader::BeginRun(const RunInfo& run) {
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: BeginRun before a successful Check");
  }
  if (run.run_id.empty()) {
    return Status::Internal("PostgreSQL loader: BeginRun without a run id");
  }
  run_id_ = run.run_id;
  dry_run_ = dry_run_ || run.dry_run;
  if (dry_run_) {
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::EnsureBookkeeping(session);
  if (status.ok()) {
    id_map_exists_ = true;
    status = postgres::InsertRun(session, run);
  }
  return Track(status);
}

Status PostgresLoader::EnsureSchema(const std::vector<const TableDef*>& tables) {
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: EnsureSchema before a successful Check");
  }
  FERRY_RETURN_IF_ERROR(CheckTables(tables));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  if (!dry_run_) {
    FERRY_RETURN_IF_ERROR(Track(postgres::EnsureBookkeeping(session)));
    id_map_exists_ = true;
  }
  const std::string& schema = session->schema();
  Status status = postgres::Guarded(
      "creating the target tables in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::work txn(session->connection());
        if (!dry_run_) {
          txn.exec(kDdlLock);
        }
        for (const TableDef* table : tables) {
          FERRY_ASSIGN_OR_RETURN(bool exists, postgres::TableExists(txn, schema, table->name));
          if (exists) {
            FERRY_RETURN_IF_ERROR(postgres::CheckExistingTable(txn, schema, *table));
            existing_tables_.insert(table->name);
          } else if (dry_run_) {
            spdlog::info("dry-run: table {} would be created in {}",
                         postgres::QualifiedName(schema, table->name), session->display_name());
          } else {
            txn.exec0(postgres::CreateTableSql(*table, schema));
            existing_tables_.insert(table->name);
          }
        }
        if (dry_run_) {
          txn.abort();
        } else {
          txn.commit();
        }
        return Status::OK();
      });
  FERRY_RETURN_IF_ERROR(Track(status));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
}

Status PostgresLoader::LookupIdentities(const std::string& entity, const std::string& user_id,
                                        const std::vector<std::string>& legacy_ids,
                                        std::vector<std::optional<KnownIdentity>>* out) {
  out->assign(legacy_ids.size(), std::nullopt);
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: LookupIdentities before a successful Check");
  }
  if (!id_map_exists_ || legacy_ids.empty()) {
    return Status::OK();  // nothing was ever written here
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::LookupIdentities(session, entity, user_id, legacy_ids, out));
}

Status PostgresLoader::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                                 std::vector<std::optional<Row>>* out) {
  out->assign(keys.size(), std::nullopt);
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: FetchRows before a successful Check");
  }
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    return Status::OK();  // dry-run of a table that does not exist yet
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FetchRows(session, table, keys, out));
}

Result<BatchOutcome> PostgresLoader::Write(const WriteBatch& batch) {
  if (!checked_ || dry_run_) {
    return Status::Internal("PostgreSQL loader: Write in a dry-run or before a successful Check");
  }
  if (run_id_.empty()) {
    return Status::Internal("PostgreSQL loader: Write before BeginRun");
  }
  if (batch.table == nullptr || ensured_tables_.count(batch.table->name) == 0) {
    return Status::Internal("PostgreSQL loader: Write to a table not passed to EnsureSchema");
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  if (writer_ == nullptr) {
    writer_ = std::make_unique<postgres::BatchWriter>(session);
  }
  Result<BatchOutcome> outcome = writer_->Write(batch, run_id_);
  if (!outcome.ok()) {
    return Track(outcome.status());
  }
  return outcome;
}

Status PostgresLoader::FinishRun(const RunTotals& totals) {
  if (dry_run_) {
    return Status::OK();
  }
  if (!checked_ || run_id_.empty()) {
    return Status::Internal("PostgreSQL loader: FinishRun before BeginRun");
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FinishRunRow(session, run_id_, totals));
}

}  // namespace

std::unique_ptr<Loader> MakePostgresLoader(const TargetSpec& spec) {
  return std::make_unique<PostgresLoader>(spec);
}

}  // namespace ferry

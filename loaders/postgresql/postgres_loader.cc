#include "loaders/postgresql/postgres_loader.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "loaders/core/shared_loader.h"
#include "loaders/postgresql/postgres_backend.h"
#include "loaders/process_identity.h"

namespace ferry {
namespace postgres {

namespace {

postgres::AsyncBatch AsyncBatchOf(const WriteBatch& batch) {
  postgres::AsyncBatch noted{batch.user_id, batch.checkpoint};
  if (noted.checkpoint.entity.empty()) noted.checkpoint.entity = batch.entity;
  return noted;
}

}  // namespace

Result<Session*> PostgresBackend::Connected() {
  if (session_ == nullptr) {
    writer_.reset();
    Result<std::unique_ptr<Session>> opened = Session::Open(spec_.url);
    if (!opened.ok() && opened.status().IsUnavailable() && !connected_once_) {
      // Never connected: a wrong host or port, or a server that is not there, is the
      // configuration's to fix; retries are for a connection that was made and then lost.
      return Status::InvalidArgument(opened.status().message());
    }
    FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, std::move(opened));
    connected_once_ = true;
    // A failure drops the new session, and with it whatever locks it took again.
    FERRY_RETURN_IF_ERROR(Resume(session.get()));
    session_ = std::move(session);
  }
  return session_.get();
}

Status PostgresBackend::Track(Status status) {
  if (status.IsUnavailable()) {
    writer_.reset();
    session_.reset();
  }
  return status;
}

Status PostgresBackend::Open(bool /*dry_run*/) {
  run_recorded_ = false;
  writer_.reset();
  session_.reset();
  ensured_tables_.clear();
  existing_tables_.clear();
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::CheckBookkeeping(session, &id_map_exists_, &bookkeeping_outdated_);
  if (!status.ok()) {
    return Track(status);
  }
  spdlog::debug("PostgreSQL target {}: server {}, tables in schema \"{}\"", session->display_name(),
                session->server_version(), session->schema());
  return Status::OK();
}

Status PostgresBackend::BeginRun(const RunInfo& run, bool dry_run) {
  run_id_ = run.run_id;
  if (dry_run) {
    if (bookkeeping_outdated_) {
      spdlog::warn(
          "dry-run: the target's ferry bookkeeping is an older ferry's, upgraded by the first "
          "run (or `ferry schema up`) so that each id-map row knows its schema; until then "
          "this dry run counts every record as new");
    }
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  // Named before the run is recorded as running, so that it never looks interrupted.
  Status status = postgres::TagSession(session, run_id_);
  run_recorded_ = status.ok();
  if (status.ok()) {
    status = postgres::EnsureBookkeeping(session);
  }
  if (status.ok()) {
    id_map_exists_ = true;
    // An attached loader joins a run another one of this process recorded.
    if (!run.attach) status = postgres::InsertRun(session, run);
  }
  // The run's record committed synchronously; its batches and lock rows need not wait for the
  // disk: FinishRun flushes them all (async_commits.h).
  if (status.ok()) status = postgres::SetSynchronousCommit(session, false);
  return Track(status);
}

Status PostgresBackend::RecordArchive(const std::string& run_id, const std::string& archive_id) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::RecordRunArchive(session, run_id, archive_id));
}

Status PostgresBackend::EnsureSchema(const std::vector<const TableDef*>& tables, bool dry_run) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  if (!dry_run) {
    // Everything is checked before the first write: a table that cannot be adopted leaves
    // the target without ferry's bookkeeping too.
    FERRY_RETURN_IF_ERROR(Track(postgres::CheckMappingTables(session, tables)));
    FERRY_RETURN_IF_ERROR(Track(postgres::EnsureBookkeeping(session)));
    id_map_exists_ = true;
  }
  FERRY_RETURN_IF_ERROR(
      Track(postgres::EnsureMappingTables(session, tables, dry_run, &existing_tables_)));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
}

Status PostgresBackend::LookupIdentities(const std::string& entity, const std::string& user_id,
                                         const std::vector<std::string>& legacy_ids,
                                         std::vector<std::optional<KnownIdentity>>* out) {
  if (!id_map_exists_) {
    return Status::OK();  // nothing was ever written here
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::LookupIdentities(session, entity, user_id, legacy_ids, out));
}

Status PostgresBackend::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                                  std::vector<std::optional<Row>>* out) {
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    return Status::OK();  // dry-run of a table that does not exist yet
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FetchRows(session, table, keys, out));
}

Status PostgresBackend::HoldsNoRowWith(const TableDef& table, const std::string& column,
                                       const Cell& value, bool* none) {
  *none = false;
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    *none = true;  // dry-run of a table that does not exist yet
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::HoldsNoRowWith(session, table, column, value, none));
}

Status PostgresBackend::ProbeUser(const std::string& user_id,
                                  const std::vector<std::string>& entities,
                                  const std::vector<UserColumn>& tables, bool* fresh) {
  *fresh = false;
  std::vector<UserColumn> present;
  for (const UserColumn& user : tables) {
    bool absent = ensured_tables_.count(user.table->name) != 0 &&
                  existing_tables_.count(user.table->name) == 0;  // dry-run: created later
    if (!absent) present.push_back(user);
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::ProbeUser(session, user_id, id_map_exists_, entities, present, fresh));
}

Status PostgresBackend::ConnectionRoom(int* room) {
  *room = -1;
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::Guarded("reading the server's connection limit", session->secrets(), [&] {
    pqxx::nontransaction txn(session->connection());
    // Reserved: superuser_reserved_connections, and reserved_connections from PostgreSQL 16.
    pqxx::result result = txn.exec(
        "SELECT current_setting('max_connections')::int"
        " - current_setting('superuser_reserved_connections')::int"
        " - coalesce(current_setting('reserved_connections', true)::int, 0)"
        " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int");
    *room = result.size() == 1 ? result[0][0].as<int>() : -1;
    return Status::OK();
  }));
}

Result<BatchOutcome> PostgresBackend::Write(const WriteBatch& batch, const std::string& run_id) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  postgres::BatchWriter* writer = Writer(session);
  unanswered_.reset();
  Result<BatchOutcome> outcome = writer->Write(batch, run_id);
  if (!outcome.ok()) {
    if (outcome.status().IsUnavailable()) unanswered_ = AsyncBatchOf(batch);
    return Track(outcome.status());
  }
  if (writer->DeletesLockRow(batch)) rows_gone_.insert(batch.user_id);
  NoteCommitted(batch);
  return outcome;
}

Result<std::vector<BatchOutcome>> PostgresBackend::WriteTogether(
    const std::vector<WriteBatch>& batches, const std::string& run_id) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  postgres::BatchWriter* writer = Writer(session);
  unanswered_.reset();
  Result<std::vector<BatchOutcome>> outcomes = writer->WriteTogether(batches, run_id);
  if (!outcomes.ok()) {
    if (outcomes.status().IsUnavailable() && !batches.empty()) {
      unanswered_ = AsyncBatchOf(batches.back());
    }
    return Track(outcomes.status());
  }
  for (const WriteBatch& batch : batches) {
    if (writer->DeletesLockRow(batch)) rows_gone_.insert(batch.user_id);
  }
  if (!batches.empty()) NoteCommitted(batches.back());  // one transaction: its last checkpoint
  return outcomes;
}

Status PostgresBackend::FinishRun(const std::string& run_id, const RunTotals& totals) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  // Every loader's last batch still there: no commit of the run was lost to a crash (each
  // loader's commits before its last are in the WAL before it). Then the run's end commits
  // synchronously, which flushes the WAL up to it: every batch is on disk before ferry says
  // the run is done. A lost batch leaves the run unfinished: the same command resumes it.
  Status status = postgres::CheckBatchesKept(session, run_id, postgres::AsyncBatchesOf(run_id));
  if (status.ok()) status = postgres::SetSynchronousCommit(session, true);
  if (status.ok()) status = postgres::FinishRunRow(session, run_id, totals);
  if (status.ok()) postgres::ForgetAsyncBatches(run_id);
  return Track(status);
}

void PostgresBackend::NoteIfCommitted(const std::string& user_id, const std::string& entity,
                                      const std::string& unit,
                                      const std::optional<StoredCheckpoint>& stored) {
  if (!unanswered_ || !stored || unanswered_->user_id != user_id ||
      unanswered_->checkpoint.entity != entity || unanswered_->checkpoint.unit != unit) {
    return;
  }
  if (stored->run_id == run_id_ && stored->token == ProcessToken() &&
      stored->position == unanswered_->checkpoint.position) {
    postgres::NoteAsyncBatch(run_id_, serial_, *unanswered_);
    unanswered_.reset();
  }
}

postgres::BatchWriter* PostgresBackend::Writer(Session* session) {
  if (writer_ == nullptr) {
    writer_ = std::make_unique<postgres::BatchWriter>(session);
    writer_->SetLockedUsers(&locked_users_);
  }
  return writer_.get();
}

void PostgresBackend::NoteCommitted(const WriteBatch& batch) {
  postgres::NoteAsyncBatch(run_id_, serial_, AsyncBatchOf(batch));
}

Status PostgresBackend::SelectText(const std::string& sql,
                                   std::vector<std::vector<std::optional<std::string>>>* rows) {
  rows->clear();
  return OnSession([&](Session* session) {
    return postgres::Guarded("reading the target", session->secrets(), [&]() -> Status {
      pqxx::nontransaction txn(session->connection());
      for (const auto& row : txn.exec(sql)) {
        std::vector<std::optional<std::string>> values;
        for (const auto& field : row) {
          values.push_back(field.is_null() ? std::nullopt
                                           : std::optional<std::string>(field.c_str()));
        }
        rows->push_back(std::move(values));
      }
      return Status::OK();
    });
  });
}

}  // namespace postgres

std::unique_ptr<Loader> MakePostgresLoader(const TargetSpec& spec) {
  return MakeSharedLoader(std::make_unique<postgres::PostgresBackend>(spec));
}

}  // namespace ferry

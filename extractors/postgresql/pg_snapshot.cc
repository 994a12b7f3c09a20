#include "extractors/postgresql/pg_snapshot.h"

#include "extractors/postgresql/pg_catalog.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgresql_source {

SourceSnapshot::~SourceSnapshot() {
  try {
    txn_.reset();  // a read-only transaction: its end commits nothing
  } catch (...) {
    // The connection may be gone already; nothing was written either way.
  }
}

Result<std::unique_ptr<SourceSnapshot>> SourceSnapshot::Open(const std::string& url) {
  std::unique_ptr<SourceSnapshot> snapshot(new SourceSnapshot());
  FERRY_ASSIGN_OR_RETURN(snapshot->session_, postgres::Session::Open(url, "source"));
  SourceSnapshot* self = snapshot.get();
  FERRY_RETURN_IF_ERROR(postgres::Guarded(
      self->display_name() + ": read its catalog", self->session_->secrets(), [self]() -> Status {
        self->txn_ = std::make_unique<ReadOnlySnapshot>(self->session_->connection(),
                                                        "ferry source snapshot");
        self->catalog_ = ReadCatalog(*self->txn_, self->schema());
        return Status::OK();
      }));
  return snapshot;
}

std::string SourceSnapshot::Qualified(const std::string& table) const {
  return postgres::QualifiedName(schema(), table);
}

bool IsDatabaseUrl(std::string_view text) {
  return text.substr(0, 13) == "postgresql://" || text.substr(0, 11) == "postgres://";
}

}  // namespace ferry::postgresql_source

// The catalog of a PostgreSQL source from pg_class, pg_attribute and pg_constraint: the plain
// and partitioned tables of one schema with their columns (format_type's spelling, e.g.
// "character varying(36)"), primary keys, foreign keys and creation-time column, in the same
// form as an SQLite source's (extractors/sqlite/catalog.h), so that inspect, the proposed
// mapping and the load order are shared. Views, materialized views and foreign tables are
// listed as skipped, never read.
//
// Thread safety: uses the transaction from the calling thread.
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "extractors/sqlite/catalog.h"

namespace ferry::postgresql_source {

// The catalog of `schema` as `txn` sees it. Throws pqxx exceptions (the caller guards them).
sqlite_source::Catalog ReadCatalog(pqxx::transaction_base& txn, const std::string& schema);

}  // namespace ferry::postgresql_source

// Which target addresses are PostgreSQL ones: "postgresql://..." and "postgres://...", in any
// case, and libpq keyword/value strings ("host=/var/run/postgresql dbname=app"), which psql
// takes too: a string that starts with "keyword=" (spaces allowed around '='). The address goes
// to libpq unchanged (connection.h), so libpq names a bad keyword when it connects.
//
// Pure function, thread-safe.
#pragma once

#include <string_view>

namespace ferry {

bool IsPostgresqlTarget(std::string_view url);

}  // namespace ferry

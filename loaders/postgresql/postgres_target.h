// Which target addresses are PostgreSQL ones: "postgresql://..." and "postgres://...", in any
// case. The address goes to libpq unchanged (connection.h).
//
// Pure function, thread-safe.
#pragma once

#include <string_view>

namespace ferry {

bool IsPostgresqlTarget(std::string_view url);

}  // namespace ferry

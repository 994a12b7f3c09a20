#include "loaders/postgresql/postgres_target.h"

#include "base/ascii.h"

namespace ferry {

bool IsPostgresqlTarget(std::string_view url) {
  return HasPrefixNoCase(url, "postgresql://") || HasPrefixNoCase(url, "postgres://");
}

}  // namespace ferry

// Targets for tests that must behave the same on SQLite and PostgreSQL: a fresh, empty target
// per case (a temp SQLite file, or a fresh PostgreSQL database dropped at the end), its
// --target URL, and a small row reader that shows both targets' values in one form.
//
// PostgreSQL targets come from FERRY_TEST_DATABASE_URL (tools/test_postgres.sh); without it
// they are skipped with a WARN, or fail under CI (CI=true).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e {

// The test server's URL, or nullopt after a WARN (or a FAIL under CI) that the caller must
// return on.
std::optional<std::string> PostgresTestUrl();

// `url` with its database name (the path after the authority) replaced by `name`.
std::string WithDatabase(const std::string& url, const std::string& name);

// A fresh database on the test server, dropped (with its connections) on destruction.
class PostgresDatabase {
 public:
  explicit PostgresDatabase(const std::string& server_url);
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;
  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

 private:
  std::string server_url_;
  std::string name_;
  std::string url_;
};

class TargetFixture {
 public:
  virtual ~TargetFixture() = default;
  virtual std::string kind() const = 0;  // "sqlite", "postgresql"
  virtual std::string url() const = 0;   // for --target
  // Rows of a query, every value as text in one form for both targets: NULL as "NULL",
  // booleans as 1/0, timestamps as "YYYY-MM-DDTHH:MM:SS.mmmZ".
  virtual std::vector<std::vector<std::string>> Query(const std::string& sql) = 0;
  // The name of a bookkeeping table ("id_map" -> ferry_id_map / ferry.id_map).
  virtual std::string Bookkeeping(const std::string& table) const = 0;
  // True when anything of ferry's exists in the target (a file, a table, a schema).
  virtual bool Touched() = 0;
  // A digest of everything in the target: equal digests, equal contents.
  virtual std::string Fingerprint() = 0;

  int64_t Count(const std::string& sql) { return std::stoll(Query(sql).at(0).at(0)); }
};

// The target kinds every shared case runs on.
const std::vector<std::string>& TargetKindNames();

// A fresh target of `kind`, or null (after a WARN, or a FAIL under CI) when it cannot be made.
std::unique_ptr<TargetFixture> MakeTarget(const std::string& kind);

// A fresh database on the PostgreSQL server at `server_url` (a server of the test's own).
std::unique_ptr<TargetFixture> MakePostgresTarget(const std::string& server_url);

// Runs `body` once per target kind, each in its own Catch section named after the kind.
#define FERRY_FOR_EACH_TARGET(target_var)                                \
  for (const std::string& ferry_kind_ : ::ferry::e2e::TargetKindNames()) \
    DYNAMIC_SECTION(ferry_kind_)                                         \
  if (std::unique_ptr<::ferry::e2e::TargetFixture> target_var =          \
          ::ferry::e2e::MakeTarget(ferry_kind_);                         \
      target_var != nullptr)

}  // namespace ferry::e2e

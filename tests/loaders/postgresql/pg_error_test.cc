// Server errors become classified Statuses without the row contents they quote (pure, no
// server: the exceptions are built by hand as libpqxx throws them).
#include "loaders/postgresql/pg_error.h"

#include <catch2/catch.hpp>
#include <pqxx/except>

namespace ferry::postgres::pg_error_test {

TEST_CASE("PgError: SQLSTATEs are classified transient or not", "[loaders][postgres]") {
  CHECK(StatusForSqlState("40001", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("40P01", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("57P01", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("08006", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("23505", "w", "m").IsRejected());
  CHECK(StatusForSqlState("22P02", "w", "m").IsRejected());
  CHECK(StatusForSqlState("42P01", "w", "m").IsInvalidArgument());
  CHECK(StatusForSqlState("42501", "w", "m").IsIOError());
  CHECK(StatusForSqlState("XX001", "w", "m").IsCorruption());
  Status status = StatusForSqlState("23505", "table \"tasks\"", "duplicate key");
  CHECK(status.message().find("table \"tasks\"") != std::string::npos);
  CHECK(status.message().find("23505") != std::string::npos);
}

TEST_CASE("PgError: a COPY error's CONTEXT line keeps the place, not the row",
          "[loaders][postgres]") {
  std::string message =
      "ERROR:  value too long for type character varying(5)\n"
      "CONTEXT:  COPY tasks, line 3, column title: \"my diary: meet Bob at 5\"";
  CHECK(WithoutRowData(message) ==
        "ERROR:  value too long for type character varying(5)\n"
        "CONTEXT:  COPY tasks, line 3, column title: (row contents withheld)");
  CHECK(WithoutRowData("CONTEXT:  COPY id_map, line 7: \"01J\tu1\tsecret row\"") ==
        "CONTEXT:  COPY id_map, line 7: (row contents withheld)");
}

TEST_CASE("PgError: a failing row is withheld, a key and other lines stay", "[loaders][postgres]") {
  CHECK(WithoutRowData("DETAIL:  Failing row contains (01J, u1, my diary).") ==
        "DETAIL:  Failing row contains (row contents withheld)");
  std::string key = "DETAIL:  Key (id)=(01JAAAAAAAAAAAAAAAAAAAAAAA) already exists.";
  CHECK(WithoutRowData(key) == key);
  CHECK(WithoutRowData("CONTEXT:  COPY tasks") == "CONTEXT:  COPY tasks");
  CHECK(WithoutRowData("") == "");
}

TEST_CASE("PgError: an sql_error's message reaches the Status without the row",
          "[loaders][postgres]") {
  pqxx::sql_error error(
      "ERROR:  null value in column \"title\" violates not-null constraint\n"
      "DETAIL:  Failing row contains (01J, u1, hunter2).\n",
      "INSERT ...", "23502");
  Status status = PgError(error, "writing tasks", {});
  CHECK(status.IsRejected());
  CHECK(status.message().find("hunter2") == std::string::npos);
  CHECK(status.message().find("not-null") != std::string::npos);
  CHECK(status.message().find("23502") != std::string::npos);
}

}  // namespace ferry::postgres::pg_error_test

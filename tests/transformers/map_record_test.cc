#include "transformers/map_record.h"

#include <catch2/catch.hpp>

#include "transformers/json_records.h"

namespace ferry::map_record_test {
namespace {

ColumnMapping Column(std::string name, ColumnType type, ColumnSource source,
                     std::string field = "") {
  ColumnMapping c;
  c.def = ColumnDef{std::move(name), type, true};
  c.source = source;
  c.field = std::move(field);
  return c;
}

EntityMapping TaskEntity() {
  EntityMapping e;
  e.name = "tasks";
  e.sensitive = {"secret"};
  e.columns.push_back(Column("id", ColumnType::kUlid, ColumnSource::kUlid));
  e.columns.push_back(Column("user_id", ColumnType::kText, ColumnSource::kUser));
  e.columns.push_back(Column("legacy_id", ColumnType::kText, ColumnSource::kLegacyId));
  ColumnMapping title = Column("title", ColumnType::kText, ColumnSource::kField, "title");
  title.def.nullable = false;
  e.columns.push_back(title);
  ColumnMapping status = Column("status", ColumnType::kText, ColumnSource::kField, "status");
  status.value_map = {{"todo", "pending"}, {"done", "completed"}};
  e.columns.push_back(status);
  e.columns.push_back(
      Column("created_at", ColumnType::kTimestamp, ColumnSource::kField, "createdAt"));
  ColumnMapping config = Column("config", ColumnType::kJson, ColumnSource::kField, "config");
  config.drop = {"githubToken"};
  e.columns.push_back(config);
  ColumnMapping env =
      Column("environment_id", ColumnType::kUlid, ColumnSource::kField, "environmentId");
  env.references = "environments";
  e.columns.push_back(env);
  ColumnMapping active =
      Column("is_active", ColumnType::kBoolean, ColumnSource::kField, "isActive");
  active.default_json = "true";
  e.columns.push_back(active);
  ColumnMapping description =
      Column("description", ColumnType::kText, ColumnSource::kField, "description");
  description.default_json = "null";
  e.columns.push_back(description);
  return e;
}

std::optional<std::string> Resolve(const std::string& entity, const std::string& legacy) {
  if (entity == "environments" && legacy == "env-1") return std::string("01ENV");
  return std::nullopt;
}

struct Mapped {
  std::optional<Reject> reject;
  Row row;
};

Mapped Map(const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element record = parser.parse(json);
  EntityMapping entity = TaskEntity();
  RecordContext context{"user-1", "task-1", "01ULID", "tasks", "", ""};
  Mapped out;
  out.reject = MapRecord(entity, record, context, Resolve, &out.row);
  return out;
}

}  // namespace

TEST_CASE("MapRecord: maps every column of a good record", "[transformers][map_record]") {
  Mapped m = Map(R"({"title":"Write","status":"todo","createdAt":"2023-02-24T10:21:45.454Z",
    "config":{"region":"eu","githubToken":"ghp_x","n":{"githubToken":1}},"environmentId":"env-1"})");
  REQUIRE_FALSE(m.reject);
  const auto& c = m.row.cells;
  CHECK(std::get<std::string>(c[0]) == "01ULID");
  CHECK(std::get<std::string>(c[1]) == "user-1");
  CHECK(std::get<std::string>(c[2]) == "task-1");
  CHECK(std::get<std::string>(c[3]) == "Write");
  CHECK(std::get<std::string>(c[4]) == "pending");
  CHECK(std::get<int64_t>(c[5]) == 1677234105454);
  // Only the top-level githubToken is dropped; a nested member of the same name is data.
  CHECK(std::get<std::string>(c[6]) == R"({"region":"eu","n":{"githubToken":1}})");
  CHECK(std::get<std::string>(c[7]) == "01ENV");
  CHECK(std::get<bool>(c[8]) == true);
  CHECK(IsNull(c[9]));
}

TEST_CASE("MapRecord: an unmapped status is a reject naming the field",
          "[transformers][map_record]") {
  Mapped m = Map(R"({"title":"x","status":"archived"})");
  REQUIRE(m.reject);
  CHECK(m.reject->where.pointer == "/status");
  CHECK(m.reject->value == std::optional<std::string>("\"archived\""));
}

TEST_CASE("MapRecord: a dangling reference is a reject", "[transformers][map_record]") {
  Mapped m = Map(R"({"title":"x","status":"todo","environmentId":"env-404"})");
  REQUIRE(m.reject);
  CHECK(m.reject->where.pointer == "/environmentId");
  CHECK(m.reject->reason.find("refers to no environments") != std::string::npos);
}

TEST_CASE("MapRecord: a null reference is NULL, not a reject", "[transformers][map_record]") {
  Mapped m = Map(R"({"title":"x","status":"todo","environmentId":null})");
  REQUIRE_FALSE(m.reject);
  CHECK(IsNull(m.row.cells[7]));
}

TEST_CASE("MapRecord: a missing required column is a reject", "[transformers][map_record]") {
  Mapped m = Map(R"({"status":"todo"})");
  REQUIRE(m.reject);
  CHECK(m.reject->reason.find("title is required") != std::string::npos);
}

TEST_CASE("MapRecord: a bad date is a reject, not a zero time", "[transformers][map_record]") {
  for (const char* date : {"2024-13-45", "2023-02-30T25:61:00Z", "not a date", ""}) {
    Mapped m = Map(std::string(R"({"title":"x","createdAt":")") + date + "\"}");
    REQUIRE(m.reject);
    CHECK(m.reject->where.pointer == "/createdAt");
  }
  Mapped number = Map(R"({"title":"x","createdAt":1682935200000})");
  CHECK(number.reject);
}

TEST_CASE("MapRecord: wrong types are rejects", "[transformers][map_record]") {
  CHECK(Map(R"({"title":{"a":1}})").reject);
  CHECK(Map(R"({"title":"x","isActive":"yes"})").reject);
}

TEST_CASE("MapRecord: a sensitive field's value never reaches the reject",
          "[transformers][map_record]") {
  EntityMapping entity = TaskEntity();
  entity.columns[3].field = "secret";
  simdjson::dom::parser parser;
  simdjson::dom::element record = parser.parse(std::string(R"({"secret":{"token":"ghp_x"}})"));
  Row row;
  RecordContext context{"u", "1", "", "tasks", "", ""};
  std::optional<Reject> reject = MapRecord(entity, record, context, Resolve, &row);
  REQUIRE(reject);
  CHECK_FALSE(reject->value);
}

TEST_CASE(
    "MapRecord: a number beyond a double or 2^64 is kept as written in JSON, rejected "
    "where a column needs the number",
    "[transformers][map_record]") {
  EntityMapping entity;
  entity.name = "things";
  entity.columns.push_back(Column("data", ColumnType::kJson, ColumnSource::kField, "data"));
  entity.columns.push_back(Column("count", ColumnType::kInteger, ColumnSource::kField, "count"));
  entity.columns.push_back(Column("ratio", ColumnType::kReal, ColumnSource::kField, "ratio"));
  entity.columns.push_back(Column("label", ColumnType::kText, ColumnSource::kField, "label"));
  auto map = [&](const std::string& json, Row* row) {
    Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kRecord);
    REQUIRE(scanned.ok());
    static simdjson::dom::parser parser;
    std::string text(scanned->Text(json));
    simdjson::dom::element record = parser.parse(text);
    RecordContext context{"user-1", "x", "", "things", "", ""};
    return MapRecord(entity, record, context, Resolve, row);
  };
  Row row;
  REQUIRE_FALSE(map(R"({"data":{"n":18446744073709552000,"m":[1e400]},"count":101.0,
    "ratio":18446744073709552000,"label":18446744073709552000})",
                    &row));
  CHECK(std::get<std::string>(row.cells[0]) == R"({"n":18446744073709552000,"m":[1e400]})");
  CHECK(std::get<int64_t>(row.cells[1]) == 101);
  CHECK(std::get<double>(row.cells[2]) == Approx(1.8446744073709552e19));
  CHECK(std::get<std::string>(row.cells[3]) == "18446744073709552000");

  std::optional<Reject> integer = map(R"({"count":18446744073709552000})", &row);
  REQUIRE(integer);
  CHECK(integer->where.pointer == "/count");
  CHECK_THAT(integer->reason, Catch::Contains("beyond what a 64-bit integer column holds"));
  CHECK(integer->value == "18446744073709552000");
  std::optional<Reject> real = map(R"({"ratio":-1e400})", &row);
  REQUIRE(real);
  CHECK(real->where.pointer == "/ratio");
  CHECK_THAT(real->reason, Catch::Contains("beyond the largest double"));
}

}  // namespace ferry::map_record_test

namespace ferry::map_record_test {

TEST_CASE("MapRecord: $record in a text column takes a string record as it is",
          "[transformers][map_record]") {
  EntityMapping entity;
  entity.name = "values";
  entity.columns.push_back(Column("value", ColumnType::kText, ColumnSource::kRecord));
  entity.columns.push_back(Column("json", ColumnType::kJson, ColumnSource::kRecord));
  simdjson::dom::parser parser;
  RecordContext context{"user-1", "theme", "", "theme", "", ""};
  Row row;
  REQUIRE_FALSE(
      MapRecord(entity, parser.parse(std::string(R"("dark \"mode\"")")), context, Resolve, &row));
  CHECK(std::get<std::string>(row.cells[0]) == "dark \"mode\"");
  CHECK(std::get<std::string>(row.cells[1]) == R"("dark \"mode\"")");
  REQUIRE_FALSE(MapRecord(entity, parser.parse(std::string("42")), context, Resolve, &row));
  CHECK(std::get<std::string>(row.cells[0]) == "42");  // not a string: its JSON text
}

}  // namespace ferry::map_record_test

// MapRecord under `sensitive: {PATH: drop | encrypt}` (transformers/mapping.h): where the
// sealed text and the dropped members land in a row. Issue 17 item 7.
#include <sodium.h>

#include <catch2/catch.hpp>
#include <memory>

#include "transformers/field_seal.h"
#include "transformers/map_record.h"

namespace ferry::map_record_sensitive_test {
namespace {

constexpr char kKeyHex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kUlid[] = "01HGW2N7EHJVKQ0AZ3FQXB6Q5D";

ColumnMapping Column(std::string name, ColumnType type, ColumnSource source,
                     std::string field = "") {
  ColumnMapping c;
  c.def = ColumnDef{std::move(name), type, true};
  c.source = source;
  c.field = std::move(field);
  return c;
}

EntityMapping Entity() {
  EntityMapping e;
  e.name = "environments";
  e.sensitive = {"config.githubToken", "config.password", "pin"};
  e.sensitive_encrypt = {"config.githubToken", "pin"};
  e.sensitive_drop = {"config.password"};
  e.sealer = std::make_shared<const FieldSealer>(*FieldSealer::FromHex(kKeyHex));
  e.columns.push_back(Column("id", ColumnType::kUlid, ColumnSource::kUlid));
  e.columns.push_back(Column("config", ColumnType::kJson, ColumnSource::kField, "config"));
  e.columns.push_back(Column("pin", ColumnType::kText, ColumnSource::kField, "pin"));
  e.columns.push_back(Column("record", ColumnType::kJson, ColumnSource::kRecord));
  e.ulid_column = 0;
  return e;
}

Row Map(const EntityMapping& entity, const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element record = parser.parse(json);
  RecordContext context{"user-1", "env-1", kUlid, "environments", "", ""};
  Row row;
  REQUIRE_FALSE(MapRecord(entity, record, context, nullptr, &row));
  return row;
}

std::string Sealed(const std::string& plaintext, const std::string& path) {
  return FieldSealer::FromHex(kKeyHex)->Seal(plaintext, kUlid, path);
}

}  // namespace

TEST_CASE("MapRecord: an encrypted member is sealed inside its json column, a dropped one left out",
          "[transformers][map_record][sensitive]") {
  Row row = Map(
      Entity(),
      R"({"config":{"region":"eu","githubToken":"ghp_x","password":"hunter2-secret"},"pin":1234})");
  CHECK(std::get<std::string>(row.cells[1]) ==
        R"({"region":"eu","githubToken":")" + Sealed("\"ghp_x\"", "config.githubToken") + "\"}");
}

TEST_CASE("MapRecord: a text column of an encrypted field holds the sealed JSON text",
          "[transformers][map_record][sensitive]") {
  Row row = Map(Entity(), R"({"config":{},"pin":1234})");
  CHECK(std::get<std::string>(row.cells[2]) == Sealed("1234", "pin"));
  // Null stays null: it holds nothing to hide.
  CHECK(IsNull(Map(Entity(), R"({"config":{},"pin":null})").cells[2]));
}

TEST_CASE("MapRecord: a $record column seals and drops alike, nothing of either shows",
          "[transformers][map_record][sensitive]") {
  Row row =
      Map(Entity(), R"({"config":{"githubToken":"ghp_x","password":"hunter2-secret"},"pin":"p"})");
  const std::string& record = std::get<std::string>(row.cells[3]);
  CHECK(record == R"({"config":{"githubToken":")" + Sealed("\"ghp_x\"", "config.githubToken") +
                      R"("},"pin":")" + Sealed("\"p\"", "pin") + "\"}");
  CHECK(record.find("ghp_x") == std::string::npos);
  CHECK(record.find("hunter2") == std::string::npos);
}

TEST_CASE("MapRecord: a json column that is itself encrypted holds the sealed text as a string",
          "[transformers][map_record][sensitive]") {
  EntityMapping entity = Entity();
  entity.sensitive_encrypt = {"config"};
  entity.sensitive_drop.clear();
  Row row = Map(entity, R"({"config":{"a":1}})");
  CHECK(std::get<std::string>(row.cells[1]) == "\"" + Sealed(R"({"a":1})", "config") + "\"");
}

}  // namespace ferry::map_record_sensitive_test

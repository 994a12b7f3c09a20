// CopyText: cells in PostgreSQL's text forms and their COPY / array escaping (pure, no server).
#include "loaders/postgresql/copy_text.h"

#include <catch2/catch.hpp>
#include <limits>

namespace ferry::postgres::copy_text_test {
namespace {

std::string Escaped(std::string_view text) {
  std::string line;
  AppendCopyEscaped(text, &line);
  return line;
}

ColumnDef Column(ColumnType type) { return {"c", type, true}; }

}  // namespace

TEST_CASE("CopyText: tabs, newlines, carriage returns and backslashes are escaped",
          "[loaders][postgres]") {
  CHECK(Escaped("plain") == "plain");
  CHECK(Escaped("a\tb") == "a\\tb");
  CHECK(Escaped("line1\nline2\r\n") == "line1\\nline2\\r\\n");
  CHECK(Escaped("C:\\dir\\N") == "C:\\\\dir\\\\N");  // "\N" in data is not a null
  CHECK(Escaped("") == "");
  CHECK(Escaped("\xF0\x9F\x9A\xA2 caf\xC3\xA9") == "\xF0\x9F\x9A\xA2 caf\xC3\xA9");
}

TEST_CASE("CopyText: a null field is \\N, an empty string is empty", "[loaders][postgres]") {
  std::string line;
  AppendCopyField(std::nullopt, &line);
  line += '\t';
  AppendCopyField(std::string(), &line);
  CHECK(line == "\\N\t");
}

TEST_CASE("CopyText: text holding a NUL byte is refused, naming the column",
          "[loaders][postgres]") {
  Result<std::optional<std::string>> text =
      CellText(Column(ColumnType::kText), Cell(std::string("a\0b", 3)));
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().IsInvalidArgument());
  CHECK(text.status().message().find("\"c\"") != std::string::npos);
  CHECK(text.status().message().find("NUL") != std::string::npos);
  CHECK_FALSE(CellText(Column(ColumnType::kJson), Cell(std::string("\"\0\"", 3))).ok());
}

TEST_CASE("CopyText: values in each column type's input form", "[loaders][postgres]") {
  CHECK(*CellText(Column(ColumnType::kInteger), Cell(int64_t{-42})).value() == "-42");
  CHECK(*CellText(Column(ColumnType::kInteger), Cell(true)).value() == "1");
  CHECK(*CellText(Column(ColumnType::kBoolean), Cell(false)).value() == "f");
  CHECK(*CellText(Column(ColumnType::kBoolean), Cell(int64_t{1})).value() == "t");
  CHECK(*CellText(Column(ColumnType::kReal), Cell(0.1)).value() == "0.1");
  CHECK(*CellText(Column(ColumnType::kReal), Cell(int64_t{3})).value() == "3");
  CHECK(
      *CellText(Column(ColumnType::kReal), Cell(std::numeric_limits<double>::infinity())).value() ==
      "Infinity");
  CHECK(*CellText(Column(ColumnType::kTimestamp), Cell(int64_t{0})).value() ==
        "1970-01-01T00:00:00.000Z");
  CHECK_FALSE(CellText(Column(ColumnType::kText), Cell()).value().has_value());
}

TEST_CASE("CopyText: cells that do not fit their column are refused", "[loaders][postgres]") {
  CHECK_FALSE(CellText(Column(ColumnType::kInteger), Cell(std::string("1"))).ok());
  CHECK_FALSE(CellText(Column(ColumnType::kText), Cell(int64_t{1})).ok());
  CHECK_FALSE(CellText(Column(ColumnType::kBoolean), Cell(int64_t{2})).ok());
  CHECK_FALSE(CellText(Column(ColumnType::kReal), Cell(std::nan(""))).ok());
  CHECK_FALSE(CellText(Column(ColumnType::kTimestamp), Cell(std::string("2020"))).ok());
  // PostgreSQL has no year 0: 0000-12-31 cannot be stored as the same instant.
  CHECK_FALSE(CellText(Column(ColumnType::kTimestamp), Cell(int64_t{-62135596800001})).ok());
  CHECK(CellText(Column(ColumnType::kTimestamp), Cell(int64_t{-62135596800000})).ok());
  CHECK_FALSE(CellText(Column(ColumnType::kTimestamp), Cell(int64_t{253402300800000})).ok());
}

TEST_CASE("CheckCell: JSON that jsonb refuses: NUL, numbers beyond numeric",
          "[loaders][postgres]") {
  const ColumnDef json = Column(ColumnType::kJson);
  CHECK_FALSE(CheckCell(json, Cell(std::string(R"({"a":"x\u0000y"})"))).ok());
  CHECK(CheckCell(json, Cell(std::string(R"({"a":"x\\u0000y"})"))).ok());  // a backslash, then text
  CHECK(CheckCell(Column(ColumnType::kText), Cell(std::string(R"(\u0000)"))).ok());
  CHECK(CheckCell(json, Cell(std::string(R"({"n":1e131071,"m":18446744073709552000})"))).ok());
  CHECK_FALSE(CheckCell(json, Cell(std::string(R"({"n":[1e131072]})"))).ok());
  CHECK(CheckCell(json, Cell(std::string(R"({"s":"1e999999"})"))).ok());  // a string
  CHECK_THAT(CheckCell(json, Cell(std::string(R"({"a":"\u0000"})"))).message(),
             Catch::Contains("NUL"));
  // What CheckCell refuses, CellText refuses too.
  CHECK_FALSE(CellText(json, Cell(std::string(R"({"n":1e200000})"))).ok());
}

TEST_CASE("CopyText: array literals quote every element and escape quotes and backslashes",
          "[loaders][postgres]") {
  CHECK(ArrayLiteral({}) == "{}");
  CHECK(ArrayLiteral({std::string("a"), std::nullopt, std::string("NULL")}) ==
        "{\"a\",NULL,\"NULL\"}");
  CHECK(ArrayLiteral({std::string("x\"y\\z,{}")}) == "{\"x\\\"y\\\\z,{}\"}");
}

}  // namespace ferry::postgres::copy_text_test

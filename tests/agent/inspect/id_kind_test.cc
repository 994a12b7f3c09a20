#include "agent/inspect/id_kind.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::id_kind_test {
namespace {

IdKind OfJson(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element value = parser.parse(json);
  return ClassifyIdValue(value);
}

TEST_CASE("ClassifyIdText: integers, UUIDs and ULIDs recognised", "[agent][inspect]") {
  CHECK(ClassifyIdText("0") == IdKind::kInteger);
  CHECK(ClassifyIdText("1042") == IdKind::kInteger);
  CHECK(ClassifyIdText("-17") == IdKind::kInteger);
  CHECK(ClassifyIdText("9223372036854775807") == IdKind::kInteger);
  CHECK(ClassifyIdText("7b2d5aaa-3c0b-4548-a608-983be7b0e0d1") == IdKind::kUuid);
  CHECK(ClassifyIdText("7B2D5AAA-3C0B-4548-A608-983BE7B0E0D1") == IdKind::kUuid);
  CHECK(ClassifyIdText("01ARZ3NDEKTSV4RRFFQ69G5FAV") == IdKind::kUlid);
  CHECK(ClassifyIdText("01arz3ndektsv4rrffq69g5fav") == IdKind::kUlid);
  CHECK(ClassifyIdText("7ZZZZZZZZZZZZZZZZZZZZZZZZZ") == IdKind::kUlid);
  CHECK(ClassifyIdText("task-17") == IdKind::kOther);
}

TEST_CASE("ClassifyIdText: near misses are other", "[agent][inspect]") {
  CHECK(ClassifyIdText("") == IdKind::kOther);
  CHECK(ClassifyIdText("-") == IdKind::kOther);
  CHECK(ClassifyIdText("007") == IdKind::kOther);  // a name, not 7
  CHECK(ClassifyIdText("+5") == IdKind::kOther);
  CHECK(ClassifyIdText("1.5") == IdKind::kOther);
  CHECK(ClassifyIdText(" 12") == IdKind::kOther);
  CHECK(ClassifyIdText("12345678901234567890") == IdKind::kOther);              // 20 digits
  CHECK(ClassifyIdText("7b2d5aaa3c0b4548a608983be7b0e0d1") == IdKind::kOther);  // no dashes
  CHECK(ClassifyIdText("7b2d5aaa-3c0b-4548-a608-983be7b0e0d") == IdKind::kOther);
  CHECK(ClassifyIdText("7b2d5aaa-3c0b-4548-a608-983be7b0e0dg") == IdKind::kOther);
  CHECK(ClassifyIdText("7b2d5aaa-3c0b-4548-a608_983be7b0e0d1") == IdKind::kOther);
  CHECK(ClassifyIdText("8ZZZZZZZZZZZZZZZZZZZZZZZZZ") == IdKind::kOther);  // time overflows
  CHECK(ClassifyIdText("01ARZ3NDEKTSV4RRFFQ69G5FAU") == IdKind::kOther);  // U not Crockford
  CHECK(ClassifyIdText("01ARZ3NDEKTSV4RRFFQ69G5FA") == IdKind::kOther);   // 25 characters
  CHECK(ClassifyIdText(std::string("12\0", 3)) == IdKind::kOther);
}

TEST_CASE("ClassifyIdValue: JSON numbers, strings, null and the rest", "[agent][inspect]") {
  CHECK(OfJson("1042") == IdKind::kInteger);
  CHECK(OfJson("-3") == IdKind::kInteger);
  CHECK(OfJson("18446744073709551615") == IdKind::kInteger);  // uint64
  CHECK(OfJson("\"1042\"") == IdKind::kInteger);
  CHECK(OfJson("\"01ARZ3NDEKTSV4RRFFQ69G5FAV\"") == IdKind::kUlid);
  CHECK(OfJson("null") == IdKind::kMissing);
  CHECK(OfJson("1.0") == IdKind::kOther);
  CHECK(OfJson("true") == IdKind::kOther);
  CHECK(OfJson("{\"id\":1}") == IdKind::kOther);
  CHECK(OfJson("[1]") == IdKind::kOther);
  CHECK(std::string(IdKindName(IdKind::kUuid)) == "uuid");
  CHECK(std::string(IdKindName(IdKind::kMissing)) == "missing");
}

}  // namespace
}  // namespace ferry::id_kind_test

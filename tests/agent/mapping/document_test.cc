// Tests of agent/mapping/document.h: YAML typed as YAML 1.2's core schema, and places.
#include "agent/mapping/document.h"

#include <catch2/catch.hpp>

namespace ferry::document_test {
namespace {

MappingJson Parse(const std::string& yaml) {
  Result<MappingDocument> doc = MappingDocument::Parse(yaml, "d.yaml");
  REQUIRE(doc.ok());
  return doc->root();
}

TEST_CASE("MappingDocument: plain scalars are typed, quoted ones stay strings",
          "[agent][mapping]") {
  MappingJson j = Parse(
      "a: 12\nb: '12'\nc: 1.5\nd: true\ne: \"true\"\nf: null\ng: ~\nh:\ni: 0x1f\nj: 0o17\n"
      "k: -7\nl: 1e3\nm: yes\nn: .5\no: 99999999999999999999\np: !!str 5\nq: 1.2.3\nr: +3\n");
  CHECK(j["a"] == 12);
  CHECK(j["b"] == "12");
  CHECK(j["c"] == 1.5);
  CHECK(j["d"] == true);
  CHECK(j["e"] == "true");
  CHECK(j["f"].is_null());
  CHECK(j["g"].is_null());
  CHECK(j["h"].is_null());
  CHECK(j["i"] == 31);
  CHECK(j["j"] == 15);
  CHECK(j["k"] == -7);
  CHECK(j["l"] == 1000.0);
  CHECK(j["m"] == "yes");  // YAML 1.1's booleans are text in 1.2
  CHECK(j["n"] == 0.5);
  CHECK(j["o"].is_number_float());
  CHECK(j["p"] == "5");
  CHECK(j["q"] == "1.2.3");
  CHECK(j["r"] == 3);
}

TEST_CASE("MappingDocument: members keep the file's order", "[agent][mapping]") {
  MappingJson j = Parse("z: 1\na: 2\nm: 3\n");
  std::string keys;
  for (const auto& [key, value] : j.items()) {
    keys += key;
  }
  CHECK(keys == "zam");
}

TEST_CASE("MappingDocument: Where names line, column and path; an empty value its key",
          "[agent][mapping]") {
  Result<MappingDocument> doc =
      MappingDocument::Parse("top:\n  list: [a, {b: c}]\n  empty:\n  'we ird': 1\n", "d.yaml");
  REQUIRE(doc.ok());
  CHECK(doc->Where("/top/list/1/b") == "d.yaml:2:17: top.list[1].b");
  CHECK(doc->Where("/top/list/1/b", /*at_key=*/true) == "d.yaml:2:14: top.list[1].b");
  CHECK(doc->Where("/top/empty") == "d.yaml:3:3: top.empty");
  CHECK(doc->Where("/top/we ird") == "d.yaml:4:13: top['we ird']");
  CHECK(doc->Where("/top/list/7/x") == "d.yaml:2:9: top.list");  // nearest that exists
  CHECK(doc->Error("", "boom").message() == "d.yaml:1:1: boom");
  CHECK(doc->Find("/top/list/0") != nullptr);
  CHECK(doc->Find("/top/nope") == nullptr);
  CHECK(doc->Find("not a pointer") == nullptr);
}

TEST_CASE("MappingDocument: pointer tokens escape '/' and '~'", "[agent][mapping]") {
  Result<MappingDocument> doc = MappingDocument::Parse("'a/b~c': {x: 1}\n", "d.yaml");
  REQUIRE(doc.ok());
  std::string pointer = MappingDocument::Child(MappingDocument::Child("", "a/b~c"), "x");
  CHECK(pointer == "/a~1b~0c/x");
  REQUIRE(doc->Find(pointer) != nullptr);
  CHECK(*doc->Find(pointer) == 1);
}

TEST_CASE("MappingDocument: duplicate keys are refused at the second one", "[agent][mapping]") {
  Result<MappingDocument> doc = MappingDocument::Parse("a: 1\nb:\n  c: 1\n  c: 2\n", "d.yaml");
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.status().message() == "d.yaml:4:3: b.c: duplicate key 'c'");
}

TEST_CASE("MappingDocument: a mapping with too many keys is refused", "[agent][mapping][hostile]") {
  std::string yaml;
  for (size_t i = 0; i <= MappingDocument::kMaxKeys; ++i) {
    yaml += "k" + std::to_string(i) + ": 1\n";
  }
  Result<MappingDocument> doc = MappingDocument::Parse(yaml, "d.yaml");
  REQUIRE_FALSE(doc.ok());
  CHECK_THAT(doc.status().message(), Catch::Contains("more than 10000 keys"));
}

TEST_CASE("QuoteMappingText: control bytes are escaped and long text is cut", "[agent][mapping]") {
  CHECK(QuoteMappingText(std::string("a\0b\n", 4)) == "'a\\x00b\\x0a'");
  std::string long_text(200, 'x');
  CHECK(QuoteMappingText(long_text) == "'" + std::string(80, 'x') + "...'");
  // Never cut inside a UTF-8 sequence.
  std::string umlauts;
  for (int i = 0; i < 60; ++i) {
    umlauts += "\xc3\xbc";
  }
  std::string quoted = QuoteMappingText(umlauts);
  CHECK(quoted.substr(quoted.size() - 4) == "...'");
  CHECK((quoted.size() - 5) % 2 == 0);
}

TEST_CASE("MappingDocument: YAML nested past the parser's depth is refused with the limit",
          "[agent][mapping][faults]") {
  // yaml-cpp stops at 2048 levels with only "bad file"; the message says what is wrong.
  std::string yaml = "entities: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  Result<MappingDocument> doc = MappingDocument::Parse(yaml, "deep.yaml");
  REQUIRE_FALSE(doc.ok());
  CHECK_THAT(doc.status().message(), Catch::StartsWith("deep.yaml:1:"));
  CHECK_THAT(doc.status().message(), Catch::Contains("a mapping nests at most 64 levels"));
}

}  // namespace
}  // namespace ferry::document_test

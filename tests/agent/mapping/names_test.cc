// Tests of agent/mapping/names.h: what a table, column or entity name and a field path may be.
#include "agent/mapping/names.h"

#include <catch2/catch.hpp>

namespace ferry::names_test {
namespace {

TEST_CASE("IdentifierProblem: quotes and SQL are legal, NUL, control, length and bad UTF-8 not",
          "[agent][mapping]") {
  CHECK(IdentifierProblem("tasks").empty());
  CHECK(IdentifierProblem("weird\"name").empty());
  CHECK(IdentifierProblem("tasks\"; DROP TABLE x; --").empty());
  CHECK(IdentifierProblem("Größe").empty());
  CHECK(IdentifierProblem(std::string(63, 'a')).empty());
  CHECK(IdentifierProblem(std::string(64, 'a')) == "is longer than 63 bytes (64)");
  CHECK(IdentifierProblem(std::string(32, 'a') + std::string(16, '\xc3')) == "is not valid UTF-8");
  CHECK(IdentifierProblem("") == "is empty");
  CHECK(IdentifierProblem(std::string("a\0b", 3)) == "contains a NUL byte");
  CHECK(IdentifierProblem("a\nb") == "contains a control character");
  CHECK(IdentifierProblem("a\x7f") == "contains a control character");
  CHECK(IdentifierProblem("\xff") == "is not valid UTF-8");
}

TEST_CASE("IsValidUtf8: overlongs, surrogates, truncation and out of range are refused",
          "[agent][mapping]") {
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("\xc3\xbc \xe2\x82\xac \xf0\x9f\x94\x91"));  // ü € 🔑
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));                          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));                      // overlong, 3 bytes
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));                      // a UTF-16 surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));                  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));                          // truncated
  CHECK_FALSE(IsValidUtf8("\x80"));                              // a lone continuation byte
}

TEST_CASE("EntityNameProblem: a comma cannot be named in --include", "[agent][mapping]") {
  CHECK(EntityNameProblem("user_preferences").empty());
  CHECK_THAT(EntityNameProblem("a,b"), Catch::Contains("','"));
  CHECK(EntityNameProblem("") == "is empty");
}

TEST_CASE("FieldPathProblem: dotted paths with no empty segment", "[agent][mapping]") {
  CHECK(FieldPathProblem("createdAt").empty());
  CHECK(FieldPathProblem("config.githubToken").empty());
  CHECK(FieldPathProblem("formData:x").empty());
  CHECK_FALSE(FieldPathProblem("").empty());
  CHECK_FALSE(FieldPathProblem(".a").empty());
  CHECK_FALSE(FieldPathProblem("a.").empty());
  CHECK_FALSE(FieldPathProblem("a..b").empty());
  CHECK_FALSE(FieldPathProblem("a\tb").empty());
}

TEST_CASE("AsciiLower: lowers ASCII letters only", "[agent][mapping]") {
  CHECK(AsciiLower("TaSkS_1") == "tasks_1");
  CHECK(AsciiLower("\xc3\x9c") == "\xc3\x9c");
}

}  // namespace
}  // namespace ferry::names_test

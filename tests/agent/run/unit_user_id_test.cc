#include "agent/run/unit_user_id.h"

#include <catch2/catch.hpp>

namespace ferry::unit_user_id_test {

namespace {

Entry KeyEntry(const std::string& key, const std::string& value, const std::string& origin = "") {
  Entry entry;
  entry.unit = "dumps/b.json";
  entry.user_hint = "b";
  entry.origin = origin;
  entry.key = key;
  entry.value = value;
  return entry;
}

MigrateOptions FromKey() {
  MigrateOptions options;
  options.user_id_from = "key:userId";
  return options;
}

// The user of a unit of these entries; with `spill`, every entry read back from the unit's
// temporary file, as a unit past its memory budget is.
Result<std::string> UserIdOf(const MigrateOptions& options, const std::vector<Entry>& entries,
                             bool spill = false) {
  if (!spill) return UnitUserId(options, UnitEntries(entries));
  UnitEntries unit(/*memory_budget=*/0);
  for (const Entry& entry : entries) REQUIRE(unit.Add(entry).ok());
  return UnitUserId(options, unit);
}

}  // namespace

TEST_CASE("UnitUserId: a key's string, integer or plain text is the user", "[agent][run][users]") {
  CHECK(*UserIdOf(FromKey(), {KeyEntry("userId", "alice")}) == "alice");
  CHECK(*UserIdOf(FromKey(), {KeyEntry("userId", "\"alice\"")}) == "alice");
  CHECK(*UserIdOf(FromKey(), {KeyEntry("userId", "42")}) == "42");
}

TEST_CASE("UnitUserId: a key with no usable id is refused, never a made-up user",
          "[agent][run][users]") {
  for (const char* value : {"", "  ", "null", "\"\"", "true", "{}", "[1]"}) {
    INFO(value);
    Result<std::string> id = UserIdOf(FromKey(), {KeyEntry("userId", value)});
    REQUIRE_FALSE(id.ok());
    CHECK(id.status().IsInvalidArgument());
    CHECK(id.status().message().find("dumps/b.json") != std::string::npos);
  }
  Result<std::string> missing = UserIdOf(FromKey(), {KeyEntry("theme", "dark")});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("no key \"userId\"") != std::string::npos);
}

TEST_CASE("UnitUserId: origins that disagree are refused, naming --origin", "[agent][run][users]") {
  std::vector<Entry> entries = {KeyEntry("userId", "alice", "http://a"),
                                KeyEntry("userId", "bob", "http://b")};
  Status status = UserIdOf(FromKey(), entries).status();
  REQUIRE(status.IsInvalidArgument());
  CHECK(status.message().find("--origin") != std::string::npos);
  CHECK(*UserIdOf(FromKey(), {entries[1], KeyEntry("userId", "\"bob\"", "http://c")}) == "bob");
}

TEST_CASE("UnitUserId: --user-id and filename", "[agent][run][users]") {
  MigrateOptions fixed;
  fixed.user_id = "x";
  CHECK(*UserIdOf(fixed, {KeyEntry("k", "v")}) == "x");
  MigrateOptions filename;
  filename.user_id_from = "filename";
  CHECK(*UserIdOf(filename, {KeyEntry("k", "v")}) == "b");
}

TEST_CASE("UnitUserId: a key read back from a spilled unit", "[agent][run][users]") {
  std::vector<Entry> entries = {KeyEntry("theme", "dark"), KeyEntry("userId", "\"carol\"")};
  CHECK(*UserIdOf(FromKey(), entries, /*spill=*/true) == "carol");
  MigrateOptions filename;
  filename.user_id_from = "filename";
  CHECK(*UserIdOf(filename, entries, /*spill=*/true) == "b");
}

}  // namespace ferry::unit_user_id_test

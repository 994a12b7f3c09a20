#include "agent/run/user_units.h"

#include <catch2/catch.hpp>

namespace ferry::user_units_test {

namespace {

SourceUnits Dumps(std::vector<std::string> stems) {
  SourceUnits units;
  units.separate_stores = true;
  for (const std::string& stem : stems) {
    units.names.push_back("dumps/" + stem + ".json");
    units.user_hints.push_back(stem);
  }
  return units;
}

SourceUnits Profiles(std::vector<std::string> names) {
  SourceUnits units;
  units.separate_stores = true;
  units.names = names;
  units.user_hints.resize(names.size());
  return units;
}

SourceUnits Records(int files) {
  SourceUnits units;
  for (int i = 0; i < files; ++i) units.names.push_back("r/" + std::to_string(i) + ".json");
  units.user_hints.resize(units.names.size());
  return units;
}

MigrateOptions UserId() {
  MigrateOptions options;
  options.user_id = "x";
  return options;
}

MigrateOptions From(const std::string& from) {
  MigrateOptions options;
  options.user_id_from = from;
  return options;
}

}  // namespace

TEST_CASE("CheckUserUnits: one --user-id over several dumps is refused, naming them",
          "[agent][run][users]") {
  Status status = CheckUserUnits(UserId(), {{"dumps/", Dumps({"u1", "u2", "u3"})}});
  REQUIRE(status.IsInvalidArgument());
  CHECK(status.message().find("dumps/ holds 3 users' dumps") != std::string::npos);
  CHECK(status.message().find("--user-id-from filename") != std::string::npos);
}

TEST_CASE("CheckUserUnits: one --user-id over one store, or record files, is fine",
          "[agent][run][users]") {
  CHECK(CheckUserUnits(UserId(), {{"u1.json", Dumps({"u1"})}}).ok());
  CHECK(CheckUserUnits(UserId(), {{"r/", Records(5)}, {"u1.json", Dumps({"u1"})}}).ok());
  CHECK(CheckUserUnits(UserId(), {{"x", SourceUnits{}}, {"y", SourceUnits{}}}).ok());
}

TEST_CASE("CheckUserUnits: one --user-id over two profiles or two sources is refused",
          "[agent][run][users]") {
  Status profiles = CheckUserUnits(UserId(), {{"b", Profiles({"b/Default", "b/Profile 1"})}});
  REQUIRE(profiles.IsInvalidArgument());
  CHECK(profiles.message().find("browser profiles") != std::string::npos);
  CHECK(profiles.message().find("one profile folder per run") != std::string::npos);
  Status two = CheckUserUnits(UserId(), {{"a", Dumps({"a"})}, {"b", Profiles({"b/Default"})}});
  REQUIRE(two.IsInvalidArgument());
  CHECK(two.message().find("2 separate stores") != std::string::npos);
}

TEST_CASE("CheckUserUnits: --user-id-from filename needs a distinct file name per unit",
          "[agent][run][users]") {
  CHECK(CheckUserUnits(From("filename"), {{"d", Dumps({"u1", "u2"})}}).ok());
  Status twice = CheckUserUnits(From("filename"), {{"a", Dumps({"u1"})}, {"b", Dumps({"u1"})}});
  REQUIRE(twice.IsInvalidArgument());
  CHECK(twice.message().find("both name user \"u1\"") != std::string::npos);
  Status records = CheckUserUnits(From("filename"), {{"r/", Records(1)}});
  REQUIRE(records.IsInvalidArgument());
  CHECK(records.message().find("no file name per user") != std::string::npos);
}

TEST_CASE("CheckUserUnits: key:NAME is left to each unit; no user option is refused",
          "[agent][run][users]") {
  CHECK(CheckUserUnits(From("key:userId"), {{"d", Dumps({"u1", "u1"})}}).ok());
  CHECK(CheckUserUnits(MigrateOptions{}, {{"d", Dumps({"u1"})}}).IsInvalidArgument());
}

}  // namespace ferry::user_units_test

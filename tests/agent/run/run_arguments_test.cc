#include "agent/run/run_arguments.h"

#include <catch2/catch.hpp>

namespace ferry::run_arguments_test {

TEST_CASE("RunArguments: holds what decides the rows, with absolute paths") {
  MigrateOptions options;
  options.user_id_from = "filename";
  options.conflict = ConflictPolicy::kMerge;
  options.include = {"tasks"};
  std::string text = RunArguments(options, {SourceSpec{"dump", "/data/users", {}}},
                                  TargetSpec{"sqlite", "sqlite:out.db", "out.db"});
  CHECK(text.rfind("ferry migrate dump:/data/users --target sqlite:/", 0) == 0);
  CHECK(text.find("out.db --mapping (bundled) --user-id-from filename --include tasks "
                  "--conflict merge") != std::string::npos);
}

TEST_CASE("RunArguments: batch size, jobs and retries do not change it") {
  MigrateOptions a;
  MigrateOptions b;
  b.batch_size = 7;
  b.jobs = 4;
  b.retries = 1;
  b.restart = true;
  std::vector<SourceSpec> sources = {SourceSpec{"dump", "/d", {}}};
  TargetSpec target{"sqlite", "sqlite:/t.db", "/t.db"};
  CHECK(RunArguments(a, sources, target) == RunArguments(b, sources, target));
}

TEST_CASE("RunArguments: never holds the target's password") {
  MigrateOptions options;
  std::string text = RunArguments(options, {SourceSpec{"dump", "/d", {}}},
                                  TargetSpec{"postgresql", "postgresql://app:s3cret@db/x", ""});
  CHECK(text.find("s3cret") == std::string::npos);
}

TEST_CASE("RunArguments: never holds a PostgreSQL source's password") {
  MigrateOptions options;
  std::string text =
      RunArguments(options, {SourceSpec{"postgresql", "postgresql://app:s3cret@db/legacy", {}}},
                   TargetSpec{"sqlite", "sqlite:/t.db", "/t.db"});
  CHECK(text.find("s3cret") == std::string::npos);
  CHECK(text.rfind("ferry migrate postgresql://app:****@db/legacy --target", 0) == 0);
}

TEST_CASE("RunArguments: values with spaces are quoted so lists cannot read alike") {
  MigrateOptions one;
  one.user_id = "a --user-id b";
  MigrateOptions two;
  two.user_id = "a";
  std::vector<SourceSpec> sources = {SourceSpec{"dump", "/d", {}}};
  TargetSpec target{"sqlite", "sqlite:/t.db", "/t.db"};
  CHECK(RunArguments(one, sources, target) != RunArguments(two, sources, target));
  CHECK(RunArguments(one, sources, target).find("\"a --user-id b\"") != std::string::npos);
}

}  // namespace ferry::run_arguments_test

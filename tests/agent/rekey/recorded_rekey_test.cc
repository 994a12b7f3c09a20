#include "agent/rekey/recorded_rekey.h"

#include <catch2/catch.hpp>
#include <filesystem>

namespace ferry::recorded_rekey_test {
namespace {

TEST_CASE("RekeyRunArguments: read back as recorded, the plan absolute, quoted, no password",
          "[rekey][validate]") {
  TargetSpec target{"postgresql", "postgresql://me:secret@db/app", ""};
  std::string text = RekeyRunArguments(target, "my plans/plan.yaml", "hybrid");
  CHECK(text.find("secret") == std::string::npos);
  Result<RecordedRekey> read = ParseRekeyRunArguments(text);
  REQUIRE(read.ok());
  CHECK(read->plan ==
        (std::filesystem::current_path() / "my plans/plan.yaml").lexically_normal().string());
  CHECK(read->strategy == "hybrid");
  CHECK(read->target.find("db/app") != std::string::npos);
}

TEST_CASE("ParseRekeyRunArguments: an older ferry's recording, and what is not a rekey's",
          "[rekey][validate]") {
  Result<RecordedRekey> old =
      ParseRekeyRunArguments("rekey sqlite:app.db --plan plan.yaml --strategy add");
  REQUIRE(old.ok());
  CHECK(old->target == "sqlite:app.db");
  CHECK(old->plan == "plan.yaml");
  CHECK(old->strategy == "add");
  CHECK(ParseRekeyRunArguments("ferry migrate a.json --target sqlite:x.db")
            .status()
            .IsInvalidArgument());
  CHECK(ParseRekeyRunArguments("rekey sqlite:app.db --strategy add").status().IsInvalidArgument());
  CHECK(
      ParseRekeyRunArguments("rekey sqlite:app.db --plan p --jobs 2").status().IsInvalidArgument());
}

}  // namespace
}  // namespace ferry::recorded_rekey_test

// End-to-end: --report FILE.html beside --report FILE.json (issue 20 item 1). The extension
// picks the kind; the page gets every check the JSON report gets, before anything is written.
// The page in a real browser: tests/e2e/html_report_chromium.sh.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::html_report_test {

namespace {

std::vector<std::string> DryRun(const TargetFixture& target, std::vector<std::string> flags) {
  std::vector<std::string> args = {
      "migrate",    (SourceDir() / "examples/chromium-taskapp").string(),
      "--user-id",  "demo",
      "--target",   target.url(),
      "--progress", "none",
      "--dry-run"};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("migrate --report twice: a JSON report and an HTML page, both 0600",
          "[e2e][sqlite][postgres][outputs][html]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string html = work / "preview.html";
    CommandResult run = RunFerry(DryRun(*target, {"--report", html, "--report", work / "r.json"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 3);
    std::string page = ReadFile(html);
    CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(Has(page, "<tr class=\"entity\"><td>tasks</td><td class=\"n\">200</td>"));
    CHECK(Has(page, "Rejects by reason (9)"));
    CHECK(Has(page, "is not an RFC 3339 date-time"));
    CHECK(Has(page, "would stop"));
    CHECK_FALSE(Has(page, "<script"));
    CHECK(Has(ReadFile(work / "r.json"), "\"rejected\":9"));
    struct stat info;
    REQUIRE(::stat(html.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate --report: two pages, or a page in a missing folder, are refused first",
          "[e2e][sqlite][postgres][outputs][html]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    CommandResult two =
        RunFerry(DryRun(*target, {"--report", work / "a.html", "--report", work / "b.HTM"}));
    INFO(Describe(two));
    CHECK(two.exit_code == 2);
    CHECK(Has(two.err, "both are HTML reports"));
    CommandResult missing = RunFerry(DryRun(*target, {"--report", work / "missing/a.html"}));
    INFO(Describe(missing));
    CHECK(missing.exit_code == 2);
    CHECK(Has(missing.err, "does not exist"));
    CommandResult inside = RunFerry(DryRun(
        *target,
        {"--report", (SourceDir() / "examples/chromium-taskapp/Default/preview.html").string()}));
    INFO(Describe(inside));
    CHECK(inside.exit_code == 2);
    CHECK(Has(inside.err, "never writes to a source"));
    CHECK(std::filesystem::is_empty(work.path()));
    CHECK_FALSE(target->Touched());
  }
}

}  // namespace ferry::e2e::html_report_test

#include "agent/export/export_command.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::export_command_test {
namespace {

using testing::MakeLsStore;
using testing::TempDir;

const std::string kFolder = "http+++127.0.0.1+8000";
const std::string kOrigin = "http://127.0.0.1:8000";

struct Exported {
  int exit_code = -1;
  std::string dump;
  std::string err;
};

Exported ExportOf(const std::string& source) {
  ExportOptions options;
  options.sources = {"firefox:" + source};
  std::ostringstream out;
  std::ostringstream err;
  Exported exported;
  exported.exit_code = RunExport(options, out, err);
  exported.dump = out.str();
  exported.err = err.str();
  return exported;
}

TEST_CASE("export: a value of invalid UTF-8 is damage, named, not a silent U+FFFD (issue 21)",
          "[export][firefox]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  // Found by the Firefox differential check's mutated copies (tests/e2e/firefox_differential.py):
  // one flipped byte of a value, which Python's UTF-8 decoder refuses, was exported with exit 0.
  std::string file = MakeLsStore(profile, kFolder, kOrigin,
                                 {{"ok", "1", 1},
                                  {"flipped",
                                   "{\x8D"
                                   "a\":1}",
                                   7}});
  Exported exported = ExportOf(profile);
  CHECK(exported.exit_code == 3);
  CHECK_THAT(exported.err, Catch::Contains(file));
  CHECK_THAT(exported.err, Catch::Contains("flipped"));
  CHECK_THAT(exported.err, Catch::Contains("not well-formed UTF-8"));
  CHECK_THAT(exported.err, Catch::Contains("written with U+FFFD"));
  CHECK_THAT(exported.dump, Catch::Contains("\"ok\": \"1\""));
  CHECK_THAT(exported.dump, Catch::Contains("\xEF\xBF\xBD"));  // the entry is still written
}

TEST_CASE("export: an unpaired surrogate is kept exactly, no damage", "[export][firefox]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  MakeLsStore(profile, kFolder, kOrigin, {{"lone", "\xED\xA0\x80", 1}});
  Exported exported = ExportOf(profile);
  CHECK(exported.exit_code == 0);
  CHECK(exported.err.empty());
  CHECK_THAT(exported.dump, Catch::Contains("\\ud800"));
}

}  // namespace
}  // namespace ferry::export_command_test

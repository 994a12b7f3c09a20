// End-to-end: data from a hostile dump (origins, keys, values, file names, user ids holding
// ANSI escapes, OSC 52, carriage returns and bidi overrides) never reaches the terminal raw:
// a byte search of every output for ESC, CSI, CR and U+202E (docs/security.md).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "base/terminal_text.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"

namespace ferry::e2e::security_terminal_test {
namespace {

namespace fs = std::filesystem;

// The bytes that must not be printed: ESC, the one-byte CSI (U+009B), CR and U+202E.
void CheckNoRawControls(const std::string& what, const std::string& text) {
  INFO(what << ":\n" << text);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("\xc2\x9b") == std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("\xe2\x80\xae") == std::string::npos);
}

TEST_CASE("TerminalSafe: escapes controls, bidi overrides and bad UTF-8; keeps the rest",
          "[base][security]") {
  CHECK(TerminalSafe("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(TerminalSafe("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07");
  CHECK(TerminalSafe("x\ry") == "x\\x0dy");
  CHECK(TerminalSafe("\xe2\x80\xae"
                     "cba") == "\\u202ecba");
  CHECK(TerminalSafe("\xc2\x9b"
                     "2J") == "\\u009b2J");
  CHECK(TerminalSafe("\xff") == "\\xff");
  CHECK(TerminalSafe("line\n\tnext é 日本 🙂") == "line\n\tnext é 日本 🙂");
}

TEST_CASE("every output of migrate, inspect, export and status escapes the data",
          "[e2e][security][sqlite]") {
  TempDir work;
  std::string dumps = work / "dumps";
  fs::create_directories(dumps);
  // A user id (the file name), origin, key and value, each hostile.
  std::string name =
      "u\x1b[2J\xe2\x80\xae"
      "1";
  std::ofstream(dumps + "/" + name + ".json")
      << R"({"https://\u001b]52;c;aGk=\u0007\u202e.test": {"tasks": "[{\"id\": \"\u001b[31m\r\u202e\", \"title\": 5}]", "k\u001b[2J": "\u009b2J"}})";
  std::ofstream(dumps + "/bad\x1b[2J\r.json") << "{ not json \x1b[2J";
  std::string db = work / "t.db";
  CommandResult migrate =
      RunFerry({"migrate", dumps, "--user-id-from", "filename", "--target", "sqlite:" + db,
                "--continue-on-error", "--progress", "none", "--log-level", "info"});
  CHECK(migrate.exit_code == 3);
  CheckNoRawControls("migrate stdout", migrate.out);
  CheckNoRawControls("migrate stderr", migrate.err);
  CommandResult inspect = RunFerry({"inspect", dumps});
  CheckNoRawControls("inspect stdout", inspect.out);
  CheckNoRawControls("inspect stderr", inspect.err);
  CommandResult inspect_json = RunFerry({"inspect", dumps, "--json"});
  CheckNoRawControls("inspect --json", inspect_json.out + inspect_json.err);
  CommandResult exported = RunFerry({"export", dumps});
  CHECK(exported.exit_code == 3);
  CheckNoRawControls("export stderr", exported.err);
  CHECK(exported.out.find("\xe2\x80\xae") != std::string::npos);  // the dump itself is exact
  for (std::vector<std::string> status :
       {std::vector<std::string>{"status", "--target", "sqlite:" + db, "-v"},
        std::vector<std::string>{"status", "--target", "sqlite:" + db, "--json"}}) {
    CommandResult run = RunFerry(status);
    CheckNoRawControls("status", run.out + run.err);
  }
  CommandResult bad_flag = RunFerry({"migrate", dumps, "--conflict", "\x1b[2Jx"});
  CHECK(bad_flag.exit_code == 2);
  CheckNoRawControls("usage error", bad_flag.out + bad_flag.err);
}

}  // namespace
}  // namespace ferry::e2e::security_terminal_test

// Every command and subcommand of the real binary ends its --help with its exit codes, in the
// same words as docs/design.md ("Exit codes").
#include "agent/exit_codes_help.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace ferry::exit_codes_help_test {
namespace {

// Whitespace runs as one space, backticks dropped: the docs wrap and quote, --help does not.
std::string Normalized(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '`') continue;
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The names listed under "Subcommands:" in a --help text.
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  bool listing = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Subcommands:", 0) == 0) {
      listing = true;
    } else if (listing && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (listing && !line.empty() && line[0] != ' ') {
      listing = false;
    }
  }
  return names;
}

}  // namespace

TEST_CASE("ferry --help: every command lists its exit codes as the docs do", "[e2e][help]") {
  std::string design = Normalized(e2e::ReadFile((e2e::SourceDir() / "docs/design.md").string()));
  std::vector<std::vector<std::string>> pending = {{}};
  int seen = 0;
  while (!pending.empty()) {
    std::vector<std::string> command = pending.back();
    pending.pop_back();
    std::vector<std::string> args = command;
    args.push_back("--help");
    e2e::CommandResult help = e2e::RunFerry(args);
    std::string name = "ferry";
    for (const std::string& word : command) name += " " + word;
    INFO(name << " --help:\n" << help.out);
    CHECK(help.exit_code == 0);
    size_t at = help.out.find("Exit codes: ");
    REQUIRE(at != std::string::npos);
    std::string codes = Normalized(help.out.substr(at));
    CHECK(codes.find(" 0 ") != std::string::npos);
    CHECK(design.find(codes) != std::string::npos);
    ++seen;
    for (const std::string& sub : Subcommands(help.out)) {
      std::vector<std::string> next = command;
      next.push_back(sub);
      pending.push_back(next);
    }
  }
  CHECK(seen >= 15);  // ferry, 8 commands, schema's 3 and ulid's 3 subcommands
}

}  // namespace ferry::exit_codes_help_test

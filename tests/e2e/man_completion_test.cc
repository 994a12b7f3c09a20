// End-to-end: `ferry man` rendered by man(1), `ferry completion bash` driven by bash, the zsh
// script driven by Tab in an interactive zsh on a pty (tests/e2e/zsh_completion_pty.py) and the
// fish one asked by `complete -C` (issue 20 item 4). The lists to find come from ferry's --help
// output, walked command by command, so a command or option added later is checked without touching
// this test.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"

namespace ferry::e2e::man_completion_test {

namespace {

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct HelpCommand {
  std::string path;  // "ferry schema up"
  std::vector<std::string> options;
};

// The long options and subcommands one `--help` lists (CLI11's layout: "Options:" and
// "Subcommands:" sections, entries indented by two spaces).
void ReadHelp(const std::string& path, std::vector<HelpCommand>* out) {
  std::vector<std::string> args;
  std::istringstream words(path.substr(std::string("ferry").size()));
  for (std::string word; words >> word;) args.push_back(word);
  args.push_back("--help");
  CommandResult help = RunFerry(args);
  REQUIRE(help.exit_code == 0);
  HelpCommand command{path, {}};
  std::vector<std::string> subcommands;
  std::string section;
  std::istringstream lines(help.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != ' ') {
      section = line;
      continue;
    }
    if (line.size() < 3 || line[0] != ' ' || line[1] != ' ' || line[2] == ' ') continue;
    std::string first = line.substr(2, line.find(' ', 2) - 2);
    if (section == "Options:") {
      std::istringstream names(first);
      for (std::string name; std::getline(names, name, ',');) {
        if (name.rfind("--", 0) == 0) command.options.push_back(name);
      }
    } else if (section == "Subcommands:") {
      subcommands.push_back(first);
    }
  }
  out->push_back(command);
  for (const std::string& sub : subcommands) ReadHelp(path + " " + sub, out);
}

bool HaveMan() {
  if (RunShell("command -v man >/dev/null 2>&1").exit_code == 0) return true;
  // CI installs it (tools/install_deps.sh): there a missing man is a failure, not a skip.
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true") {
    FAIL("man is not installed (apt-get install man-db; tools/install_deps.sh)");
  }
  WARN("man is not installed: skipped");
  return false;
}

// True when `shell` is installed; outside CI a missing one is a skip with a warning, in CI
// (tools/install_deps.sh installs zsh and fish) a failure.
bool HaveShell(const std::string& shell) {
  if (RunShell("command -v " + shell + " >/dev/null 2>&1").exit_code == 0) return true;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true") {
    FAIL(shell + " is not installed (apt-get install " + shell + "; tools/install_deps.sh)");
  }
  WARN(shell + " is not installed: its completion test is skipped");
  return false;
}

}  // namespace

TEST_CASE("ferry man: man -l renders every command and option that --help lists",
          "[e2e][help][issue20]") {
  if (!HaveMan()) return;
  std::vector<HelpCommand> commands;
  ReadHelp("ferry", &commands);
  REQUIRE(commands.size() > 20);  // 11 commands and their subcommands
  TempDir work;
  std::string page = work / "ferry.1";
  REQUIRE(RunShell(ShellQuote(FERRY_BINARY) + " man > " + ShellQuote(page)).exit_code == 0);
  CHECK(
      RunShell(ShellQuote(FERRY_BINARY) + " --help-man | cmp -s - " + ShellQuote(page)).exit_code ==
      0);
  CommandResult rendered =
      RunShell("MANWIDTH=100 MANPAGER=cat PAGER=cat man -l " + ShellQuote(page) + " 2>&1");
  INFO(rendered.out);
  REQUIRE(rendered.exit_code == 0);
  const std::string& text = rendered.out;
  CHECK(text.find("warning") == std::string::npos);  // groff's complaints go to stderr
  for (const HelpCommand& command : commands) {
    INFO(command.path);
    // Its section: from its heading to the next command's (the root's: the global options).
    size_t from = command.path == "ferry" ? text.find("GLOBAL OPTIONS")
                                          : text.find("\n   " + command.path + "\n");
    REQUIRE(from != std::string::npos);
    size_t to = text.find(command.path == "ferry" ? "\nCOMMANDS" : "\n   ferry ", from + 1);
    std::string section = text.substr(from, to == std::string::npos ? to : to - from);
    for (const std::string& option : command.options) {
      INFO(option);
      CHECK(section.find(option) != std::string::npos);
    }
  }
  CHECK(text.find("skip, overwrite, merge") != std::string::npos);  // --conflict's values
  CHECK(text.find("EXIT STATUS") != std::string::npos);
}

TEST_CASE("ferry completion bash: commands, options, option values and file names",
          "[e2e][help][issue20]") {
  TempDir work;
  std::string script = work / "drive.sh";
  std::string file = work / "report-file.json";
  std::ofstream(file) << "{}";
  // drive WORD...: completes the last word as bash would after a Tab.
  std::string drive =
      "source <(" + ShellQuote(FERRY_BINARY) + " completion bash) || exit 9\n" +
      "drive() { COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=();"
      " _ferry_complete; echo \"${COMPREPLY[*]}\"; }\n"
      "drive ferry mig\n"
      "drive ferry migrate --confl\n"
      "drive ferry migrate --conflict ''\n"
      "drive ferry migrate src --log-level debug --conflict o\n"
      "drive ferry --log-level warn migrate --progress j\n"
      "drive ferry schema ''\n"
      "drive ferry backup restore --t\n"
      "drive ferry completion ''\n"
      "drive ferry migrate --report " +
      ShellQuote(work / "report-f") +
      "\n"
      "drive ferry migrate --jobs ''\n";
  CommandResult run = RunShell("printf '%s' " + ShellQuote(drive) + " | bash 2>&1");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  REQUIRE(lines.size() == 10);
  CHECK(lines[0] == "migrate");
  CHECK(lines[1] == "--conflict");
  CHECK(lines[2] == "skip overwrite merge interactive");
  CHECK(lines[3] == "overwrite");  // the value of a global option is skipped over
  CHECK(lines[4] == "json");
  CHECK(lines[5] == "status up down");
  CHECK(lines[6] == "--to");
  CHECK(lines[7] == "bash zsh fish");
  CHECK(lines[8] == file);
  CHECK(lines[9].empty());  // a number: nothing to offer
}

TEST_CASE("ferry completion zsh: Tab in a real interactive zsh (compinit, bashcompinit)",
          "[e2e][help][issue20]") {
  if (!HaveShell("zsh")) return;
  std::string script = (SourceDir() / "tests/e2e/zsh_completion_pty.py").string();
  CommandResult run =
      RunShell("python3 " + ShellQuote(script) + " " + ShellQuote(FERRY_BINARY) + " 2>&1");
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("PASS") != std::string::npos);
}

TEST_CASE("ferry completion fish: complete -C in a real fish", "[e2e][help][issue20]") {
  if (!HaveShell("fish")) return;
  std::string folder = std::filesystem::path(FERRY_BINARY).parent_path().string();
  std::string fish_script =
      "ferry completion fish | source; or exit 9\n"
      "complete -C 'ferry mi'; echo ==\n"
      "complete -C 'ferry migrate --conflict '; echo ==\n"
      "complete -C 'ferry migrate --confl'; echo ==\n"
      "complete -C 'ferry schema '; echo ==\n";
  CommandResult run = RunShell("PATH=" + ShellQuote(folder) + ":\"$PATH\" fish --no-config -c " +
                               ShellQuote(fish_script) + " 2>&1");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  // Each block: the candidates, one a line, "word<TAB>description", sorted by fish.
  std::vector<std::vector<std::string>> blocks(1);
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line == "==") {
      blocks.emplace_back();
    } else {
      blocks.back().push_back(line.substr(0, line.find('\t')));
    }
  }
  REQUIRE(blocks.size() == 5);
  CHECK(blocks[0] == std::vector<std::string>{"migrate"});
  CHECK(blocks[1] == std::vector<std::string>{"interactive", "merge", "overwrite", "skip"});
  CHECK(blocks[2] == std::vector<std::string>{"--conflict"});
  CHECK(blocks[3] == std::vector<std::string>{"down", "status", "up"});
}

TEST_CASE("ferry completion: zsh and fish scripts, an unknown shell is exit 2",
          "[e2e][help][issue20]") {
  CommandResult zsh = RunFerry({"completion", "zsh"});
  CHECK(zsh.exit_code == 0);
  CHECK(zsh.out.find("bashcompinit") != std::string::npos);
  CHECK(zsh.out.find("'/migrate --conflict') echo 'skip overwrite merge interactive'") !=
        std::string::npos);
  CommandResult fish = RunFerry({"completion", "fish"});
  CHECK(fish.exit_code == 0);
  CHECK(fish.out.find("complete -c ferry -n '__ferry_at /migrate' -l 'conflict' -x -a "
                      "'skip overwrite merge interactive'") != std::string::npos);
  CHECK(RunFerry({"completion", "tcsh"}).exit_code == 2);
}

}  // namespace ferry::e2e::man_completion_test

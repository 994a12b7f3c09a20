// End-to-end: ferry's output on a narrow terminal, off a terminal, and with NO_COLOR (issue 20
// item 5). ferry runs on a real pseudo-terminal of 40 columns (forkpty): no line it draws is
// wider than that (a bar that wraps cannot be redrawn in place; a table row that wraps is
// unreadable), and the log's colour goes with NO_COLOR. Off a terminal, a bar asked for is one
// plain line per update, with no "\r".
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/test_paths.h"

namespace ferry::e2e::terminal_output_test {

namespace {

// Runs ferry with `args` on a pseudo-terminal `columns` wide (stdout and stderr both), with
// `env` added ("NAME=value"); returns all it wrote.
std::string RunOnTerminal(const std::vector<std::string>& args, int columns,
                          const std::vector<std::string>& env) {
  struct winsize size {};
  size.ws_col = static_cast<unsigned short>(columns);
  size.ws_row = 40;
  int terminal = -1;
  pid_t child = ::forkpty(&terminal, nullptr, nullptr, &size);
  REQUIRE(child >= 0);
  if (child == 0) {
    for (const std::string& setting : env) ::putenv(const_cast<char*>(setting.c_str()));
    std::vector<char*> argv = {const_cast<char*>(FERRY_BINARY)};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(FERRY_BINARY, argv.data());
    ::_exit(127);
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(terminal, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has gone
    output.append(buffer, static_cast<size_t>(n));
  }
  ::close(terminal);
  int status = 0;
  ::waitpid(child, &status, 0);
  return output;
}

std::vector<std::string> DryRun(const TempDir& work) {
  return {
      "--log-level", "info",       "migrate",  (SourceDir() / "examples/chromium-taskapp").string(),
      "--user-id",   "demo",       "--target", "sqlite:" + (work / "t.db"),
      "--dry-run",   "--progress", "bar"};
}

// The longest run of characters between line ends ("\r" or "\n"), UTF-8 counted by character,
// escape sequences (ESC [ ... letter) not counted.
size_t WidestLine(const std::string& text) {
  size_t widest = 0, width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') {
      width = 0;
      continue;
    }
    if (c == 0x1b) {
      while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) widest = std::max(widest, ++width);
  }
  return widest;
}

}  // namespace

TEST_CASE("terminal: on 40 columns no line wraps, and NO_COLOR takes the colour away",
          "[e2e][sqlite][terminal]") {
  TempDir work;
  std::string coloured = RunOnTerminal(DryRun(work), 40, {"TERM=xterm", "NO_COLOR="});
  INFO(coloured);
  CHECK(coloured.find("  tasks: read 200, valid 191,\r\n    +insert 191, rejected 9\r\n") !=
        std::string::npos);
  CHECK(coloured.find("  entity  ") == std::string::npos);       // no table on 40 columns
  CHECK(coloured.find("\x1b[") != std::string::npos);            // the log's level, coloured
  CHECK(coloured.find("100%  1/1 units") != std::string::npos);  // the progress, without a bar
  // Lines ferry draws itself (progress, the counts) fit; free text (log lines, reasons) may
  // wrap: check the progress and the counts only.
  size_t start = coloured.find('\n', coloured.rfind("would be created"));  // the last log line
  size_t end = coloured.find("  environments would insert");
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  size_t run_line = coloured.find("ferry migrate --dry-run: run");
  REQUIRE(run_line != std::string::npos);
  size_t counts = coloured.find('\n', run_line);
  std::string drawn =
      coloured.substr(start, run_line - start) + coloured.substr(counts, end - counts);
  CHECK(WidestLine(drawn) <= 39);

  std::string plain = RunOnTerminal(DryRun(work), 40, {"TERM=xterm", "NO_COLOR=1"});
  INFO(plain);
  CHECK(plain.find("status: completed_with_rejects") != std::string::npos);
  CHECK(plain.find('\x1b') == std::string::npos);
}

TEST_CASE("terminal: --progress bar off a terminal is plain lines, no \\r",
          "[e2e][sqlite][terminal]") {
  TempDir work;
  std::vector<std::string> args = DryRun(work);
  args.erase(args.begin(), args.begin() + 2);  // no info log
  CommandResult run = RunFerry(args);
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK(run.err.find('\r') == std::string::npos);
  CHECK(run.err.find("progress: 100%  1/1 units  211 records") != std::string::npos);
  CHECK(run.out.find("  entity  ") != std::string::npos);  // not a terminal: the table
}

}  // namespace ferry::e2e::terminal_output_test

#include "agent/cli.h"

#include <sodium.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "agent/argv_secrets.h"
#include "agent/backup/backup_command.h"
#include "agent/exit_codes_help.h"
#include "agent/export/export_command.h"
#include "agent/help/help_commands.h"
#include "agent/inspect/inspect_command.h"
#include "agent/rekey/rekey_command.h"
#include "agent/rollback/rollback_command.h"
#include "agent/run/migrate_command.h"
#include "agent/schema/schema_command.h"
#include "agent/status/status_command.h"
#include "agent/ulid_command.h"
#include "agent/unlock_command.h"
#include "agent/validate/validate_command.h"
#include "base/terminal_caps.h"
#include "base/terminal_text.h"
#include "extractors/common/private_copies.h"
#include "loaders/sqlite/sqlite_loader.h"

namespace ferry {

namespace {

// "%*": the message, escaped for the terminal (base/terminal_text.h): log lines quote data.
class TerminalSafeMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& out) override {
    std::string safe =
        TerminalSafe(std::string_view(message.payload.data(), message.payload.size()));
    out.append(safe.data(), safe.data() + safe.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TerminalSafeMessage>();
  }
};

void SetUpLogging(const std::string& level) {
  // Coloured only on a terminal (spdlog's own check) and without NO_COLOR (no-color.org).
  auto logger =
      spdlog::stderr_color_mt("ferry", ColorWanted(STDERR_FILENO) ? spdlog::color_mode::automatic
                                                                  : spdlog::color_mode::never);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TerminalSafeMessage>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %*");
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int RunFerry(int argc, char** argv) {
  // Other local users read /proc/PID/cmdline: a password there is blanked, a copy is parsed.
  std::vector<std::string> arguments = TakeArgumentsHidingPasswords(argc, argv);
  // `ferry --help-man` is `ferry man`: the man page's conventional spelling.
  if (arguments.size() == 2 && arguments[1] == "--help-man") arguments[1] = "man";
  std::vector<char*> parsed;
  for (std::string& argument : arguments) parsed.push_back(argument.data());
  InstallTerminalSafeOutput();  // data printed on stdout/stderr cannot drive the terminal
  if (sodium_init() < 0) {
    std::cerr << "ferry: libsodium could not be initialised\n";
    return 1;
  }
  CLI::App app{
      "ferry: moves data out of legacy local stores into a real database, once, "
      "safely and fast"};
  app.set_version_flag("--version", std::string("ferry ") + FERRY_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  std::string log_level = "warn";
  SetUpLogging(log_level);
  // A signal that ends the process still removes the private copies of stores.
  RemovePrivateCopiesOnSignals();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off (stderr)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->each([](const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); })
      ->default_val("warn");
  // One setting for every command that opens an SQLite target (docs/reliability.md).
  double busy_timeout_s = 5;
  app.add_option("--busy-timeout", busy_timeout_s,
                 "SQLite target: seconds a statement waits for a lock another connection holds "
                 "(the application writing, another run) before it fails and is retried; each "
                 "of migrate's --retries waits as long again")
      ->check(CLI::Range(0.0, 3600.0))
      ->each([](const std::string& seconds) {
        SetSqliteBusyTimeout(static_cast<int>(std::stod(seconds) * 1000));
      })
      ->default_val(5);
  int exit_code = 0;
  AddInspectCommand(app, &exit_code);
  AddExportCommand(app, &exit_code);
  AddMigrateCommand(app, &exit_code);
  AddSchemaCommand(app, &exit_code);
  AddStatusCommand(app, &exit_code);
  AddUnlockCommand(app, &exit_code);
  AddUlidCommand(app, &exit_code);
  AddValidateCommand(app, &exit_code);
  AddBackupCommand(app, &exit_code);
  AddRollbackCommand(app, &exit_code);
  AddRekeyCommand(app, &exit_code);
  AddHelpCommands(app, &exit_code);
  // Names the PostgreSQL sessions "ferry <command>" (libpq reads PGAPPNAME) unless the user
  // names them: pg_stat_activity and the server's log then tell ferry's sessions, and which
  // command's, from others' (the co-location check reads them: docs/scale-out.md). A run's
  // sessions rename themselves "ferry run <run id> <token>" (loaders/postgresql/user_lock.h).
  for (CLI::App* command : app.get_subcommands({})) {
    command->preparse_callback([command](size_t) {
      setenv("PGAPPNAME", ("ferry " + command->get_name()).c_str(), /*overwrite=*/0);
    });
  }
  SetExitCodesHelp(&app,
                   "0 done; 1 failed; 2 usage or configuration error; 3 done, with rejected "
                   "records (migrate), damage skipped (inspect, export) or differences found "
                   "(validate); 4 another run holds a "
                   "lock. Each command's --help lists its own");
  try {
    app.parse(argc, parsed.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace ferry

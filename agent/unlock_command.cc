#include "agent/unlock_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "agent/exit_codes_help.h"
#include "agent/status/admin_target.h"
#include "agent/status/status_print.h"

namespace ferry {

namespace {

constexpr int kUnlockExitUsage = 2;
constexpr int kExitLocked = 4;

// The locks of `options.user` (every user's when empty), read without writing anything.
Status ReadLocks(const UnlockOptions& options, std::string* display,
                 std::vector<LockHolder>* locks) {
  FERRY_ASSIGN_OR_RETURN(AdminTarget target, OpenAdminTarget(options.target, /*read_only=*/true));
  *display = target.display;
  std::vector<LockHolder> all;
  FERRY_RETURN_IF_ERROR(target.loader->ListLocks(&all));
  locks->clear();
  for (LockHolder& holder : all) {
    if (options.user.empty() || holder.user_id == options.user) {
      locks->push_back(std::move(holder));
    }
  }
  return Status::OK();
}

int Fail(const Status& status, std::ostream& err) {
  err << "ferry unlock: " << status.ToString() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

int RunUnlock(const UnlockOptions& options, std::ostream& out, std::ostream& err) {
  std::string display;
  std::vector<LockHolder> locks;
  Status status = ReadLocks(options, &display, &locks);
  if (!status.ok()) {
    return Fail(status, err);
  }
  std::string which = options.user.empty() ? "no locks" : "no lock of user " + options.user;
  if (!options.force) {
    err << "ferry unlock: refusing without --force (clearing the lock of a run that is still "
           "going lets a second run load the same user at once)\n";
    if (locks.empty()) {
      out << which << " held in " << display << "\n";
    } else {
      out << "locks in " << display << ":\n";
      PrintLocks(locks, out);
    }
    return kUnlockExitUsage;
  }
  if (locks.empty()) {
    out << which << " held in " << display << "\n";
    return 0;
  }
  // Only now is the target opened for writing: a target without locks is left untouched.
  Result<AdminTarget> target = OpenAdminTarget(options.target, /*read_only=*/false);
  if (!target.ok()) {
    return Fail(target.status(), err);
  }
  std::vector<LockHolder> cleared;
  status = target->loader->ForceUnlock(options.user, options.even_alive, &cleared);
  for (const LockHolder& holder : cleared) {
    out << "cleared the lock of user " << holder.user_id << ": " << DescribeHolder(holder)
        << (holder.alive ? " (alive: --even-alive)\n" : " (its holder was gone)\n");
  }
  if (!status.ok()) {
    return Fail(status, err);
  }
  std::vector<LockHolder> remaining;
  status = target->loader->ListLocks(&remaining);
  if (!status.ok()) {
    return Fail(status, err);
  }
  int code = 0;
  for (const LockHolder& holder : remaining) {
    if (!options.user.empty() && holder.user_id != options.user) {
      continue;
    }
    out << "left the lock of user " << holder.user_id << ": " << DescribeHolder(holder)
        << " is alive; wait for it, or add --even-alive to clear it anyway\n";
    code = kExitLocked;
  }
  return code;
}

void AddUnlockCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<UnlockOptions>();
  CLI::App* cmd = root.add_subcommand(
      "unlock",
      "Clear per-user locks whose holder is gone (a killed or crashed ferry run), writing "
      "each to the target's audit log. A lock is alive while its PostgreSQL session lives, or "
      "(SQLite) while its process runs on this host; a lock taken on another host counts as "
      "alive. Exit 0 cleared or none held, 2 without --force, 4 a live holder's lock remains, "
      "1 failed");
  SetExitCodesHelp(cmd,
                   "0 cleared, or none held; 1 failed; 2 without --force (the holders are "
                   "listed, nothing changes); 4 a live holder's lock remains");
  cmd->add_option("--target", options->target,
                  "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else sqlite:ferry.db");
  cmd->add_flag("--force", options->force,
                "Required: actually clear; without it the holders are listed and nothing "
                "changes");
  cmd->add_option("--user", options->user, "Only the lock of this user id");
  cmd->add_flag("--even-alive", options->even_alive,
                "Also clear locks whose holder looks alive (PostgreSQL: terminates its "
                "session; SQLite: deletes its row, for a holder on another host or a reused "
                "pid). The run that held it is not stopped on SQLite: be sure it is gone");
  cmd->callback([options, exit_code]() { *exit_code = RunUnlock(*options, std::cout, std::cerr); });
}

}  // namespace ferry

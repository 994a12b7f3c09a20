// `ferry unlock [--target URL] --force [--user ID] [--even-alive]`: clears the per-user locks
// whose holders are gone (a killed ferry left them), prints each and writes it to the target's
// audit log. Without --force it refuses (exit 2) and lists the holders. A live holder's lock is
// left alone (exit 4) unless --even-alive (PostgreSQL: its session is terminated).
//
// Thread safety: RunUnlock shares no state; AddUnlockCommand is called once per App.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace ferry {

struct UnlockOptions {
  std::string target;  // --target; empty: DATABASE_URL, else sqlite:ferry.db
  std::string user;    // --user: only this user's lock; empty: every user's
  bool force = false;
  bool even_alive = false;
};

// Exit codes: 0 cleared (or nothing to clear), 2 without --force, 4 a live holder's lock
// remains, 1 failed.
int RunUnlock(const UnlockOptions& options, std::ostream& out, std::ostream& err);

// Registers `unlock` on `root`; its callback stores the exit code in *exit_code.
void AddUnlockCommand(CLI::App& root, int* exit_code);

}  // namespace ferry

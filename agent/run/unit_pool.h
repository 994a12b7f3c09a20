// UnitPool: `--jobs N` — units (one user's store or dump each) loaded by N workers at once.
//
// Each worker has its own loader (its own connection), UnitProcessor and report; the reject
// file is shared. A unit is the unit of isolation: one user's bad data or failure (a reject
// without --continue-on-error, a lock another run holds, a permanent target error) ends that
// unit only, and is reported under the user's name in RunReport::failed_units; the other
// units go on. The reader hands units over through a queue of at most N waiting units, so
// memory stays bounded by about 2N units whatever the number of users.
//
// --max-reject-rate (with --continue-on-error) holds for the whole run: each worker checks its
// own records as it goes, and the pool checks every worker's together after each unit. Once
// the run-wide rate is passed no further unit starts and Submit returns the reason.
//
// Units of one user (--user-id over several record files, --user-id-from key:NAME where two
// units name the same user) run one after the other, in the order they were read: a worker
// takes the first queued unit whose user no other worker is loading, since the user's lock
// is one connection's and a second worker of the same run would be refused it.
//
// With ShareUserLocks (a database source into PostgreSQL: each table is a unit of the one
// user), the run takes a user's lock on a loader of its own when a worker first takes one of
// the user's units, and holds it until Finish; the workers join it (Loader::JoinUser) and load
// several of the user's units at once where the entities allow: a unit waits while an earlier
// unit of the same user, loading or queued, writes an entity it writes or references, or
// references one it writes (so a table waits for the tables it references, which the
// extractor yields first; a self-reference stays within its unit's two passes). A unit that
// routes to no entity waits for every earlier one. When the run cannot take the lock (another
// run holds it), the user's units go one after the other as above, each refused alike. When
// the session holding the run's lock is lost (a worker finds the lock not held, after its
// retries), the user's units not begun yet fail at once: the run ends Unavailable naming the
// lost lock, and the same command loads what is left (nothing is written without the lock).
//
// Thread safety: Submit and Finish are called by one thread (the reader).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/run/migrate_options.h"
#include "agent/run/reject_sink.h"
#include "agent/run/run_report.h"
#include "agent/run/unit_processor.h"
#include "extractors/entry.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

class UnitPool {
 public:
  // A loader ready for Write: checked, its schema ensured and attached to the run.
  using LoaderFactory = std::function<Result<std::unique_ptr<Loader>>()>;

  UnitPool(const MigrateOptions& options, const Mapping& mapping, RejectSink* rejects);
  UnitPool(const UnitPool&) = delete;
  UnitPool& operator=(const UnitPool&) = delete;
  ~UnitPool();  // joins the workers

  // Opens options.jobs loaders, all at once, and starts the workers. Fails when a loader
  // cannot be opened. With `share_user_locks` (see above), `make_loader` also opens, beside
  // them, the loader that holds the users' locks (and again when the first is needed, if that
  // open failed). REQUIRES: not a dry run (whose workers keep the
  // parents a unit rejected for the user's next unit on the same worker).
  Status Start(const LoaderFactory& make_loader, bool share_user_locks = false);

  // Queues a unit; blocks while options.jobs units are waiting. Fails, queuing nothing, once
  // the run-wide reject rate has been passed.
  Status Submit(UnitEntries unit);

  // Waits for every queued unit, then adds the workers' reports to *report. Returns why the
  // pool stopped early (the run-wide reject rate; Ctrl-C or SIGTERM, stop_signal.h: each
  // worker stops at its batch boundary and no further unit starts), else OK.
  Status Finish(RunReport* report);

  // Progress while the workers load: `tick` is called on the reader's thread about 4 times a
  // second while Submit or Drain waits; LiveRecords and UnitsDone say how far the workers are.
  void SetTick(std::function<void()> tick) { tick_ = std::move(tick); }
  // Records read by every worker so far, units in progress included.
  int64_t LiveRecords() const;
  int64_t UnitsDone() const { return units_done_.load(std::memory_order_relaxed); }
  // Waits until every queued unit is loaded, calling the tick meanwhile.
  void Drain();

  // After Finish: true when every failed unit failed on a rejected record (bad data, not an
  // outage), or none failed.
  bool AllFailuresRejects() const { return all_failures_rejects_; }
  // After Finish: true when every failed unit failed on a lock another run holds (a user's, or
  // a rekey's), or none failed: the run ends Locked (exit 4), as a run on one thread does.
  bool AllFailuresLocked() const { return all_failures_locked_; }
  // After Finish: the users whose lock the run held for its workers and lost (its session
  // ended: a worker found it not held). Their units not begun then were failed at once.
  const std::set<std::string>& LostLocks() const { return lost_locks_; }

 private:
  struct Worker;
  // The entities a unit writes (those its keys route to) and those they reference beside.
  struct Footprint {
    std::string user;
    std::set<std::string> writes;
    std::set<std::string> needs;
  };
  // A unit read and not yet taken, with the user it is loaded as ("" when it has none: its
  // worker fails it).
  struct Queued {
    UnitEntries entries;
    std::string user;
    Footprint footprint;  // with share_user_locks_ only
  };
  // What `unit` writes and references (share_user_locks_).
  Footprint FootprintOf(const std::string& user, const UnitEntries& unit) const;
  // True when `later` must wait for `earlier` (both of one shared user).
  static bool MustWait(const Footprint& later, const Footprint& earlier);
  // Whether `it` can start now. REQUIRES: mutex_ held.
  bool Ready(std::deque<Queued>::iterator it);
  // Takes the run's lock of `user` when no unit of the user was taken yet; true when the run
  // holds it (the unit joins it). REQUIRES: mutex_ held.
  bool HoldForRun(const std::string& user);
  // Releases the users' locks the run took (Finish).
  void ReleaseRunLocks();
  void Work(Worker* worker);
  // The first queued unit that may start now (Ready), else queue_.end().
  // REQUIRES: mutex_ held.
  std::deque<Queued>::iterator NextReady();
  // Adds a finished unit's counts to the run's; stops the pool when the reject rate is passed.
  // REQUIRES: mutex_ held.
  void CountUnit(int64_t read, int64_t rejected);
  // Waits on changed_ until `done()`, calling the tick between waits.
  template <typename Done>
  void WaitTicking(std::unique_lock<std::mutex>& hold, Done done);
  // Lets the workers finish what is queued, then joins them.
  void JoinWorkers();

  const MigrateOptions& options_;
  const Mapping& mapping_;
  RejectSink* rejects_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Queued> queue_;
  std::set<std::string> busy_users_;  // users a worker is loading now (one unit at a time)
  bool share_user_locks_ = false;
  LoaderFactory make_loader_;               // for lock_loader_
  std::unique_ptr<Loader> lock_loader_;     // holds run_locked_'s locks
  std::set<std::string> run_locked_;        // users whose lock the run holds: units joined
  std::set<std::string> serial_users_;      // users whose lock the run could not take
  std::set<std::string> lost_locks_;        // LostLocks
  std::map<int64_t, Footprint> in_flight_;  // units of run_locked_ users being loaded
  int64_t next_flight_ = 0;
  bool closing_ = false;
  int64_t read_ = 0;      // records of finished units, all workers
  int64_t rejected_ = 0;  // of which rejected
  Status stopped_;        // why no further unit starts (the reject rate, a stop), else OK

  std::function<void()> tick_;
  int busy_ = 0;  // workers loading a unit
  std::atomic<int64_t> units_done_{0};

  // A dry run: where the run-wide reject rate would stop the real run.
  std::string would_stop_;
  // No unit failed but on a rejected record (bad data, not an outage).
  bool all_failures_rejects_ = true;
  // No unit failed but on another run's lock.
  bool all_failures_locked_ = true;
};

}  // namespace ferry

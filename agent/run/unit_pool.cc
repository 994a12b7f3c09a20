#include "agent/run/unit_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "agent/run/memory_trim.h"
#include "agent/run/stop_signal.h"
#include "agent/run/unit_user_id.h"
#include "transformers/route_entry.h"

namespace ferry {

struct UnitPool::Worker {
  std::unique_ptr<Loader> loader;
  RunReport report;
  std::unique_ptr<UnitProcessor> processor;
  std::atomic<int64_t> read{0};  // report.TotalRead(), for the reader's progress
};

template <typename Done>
void UnitPool::WaitTicking(std::unique_lock<std::mutex>& hold, Done done) {
  while (!changed_.wait_for(hold, std::chrono::milliseconds(250), done)) {
    if (!tick_) continue;
    hold.unlock();
    tick_();
    hold.lock();
  }
}

int64_t UnitPool::LiveRecords() const {
  int64_t total = 0;
  for (const auto& worker : workers_) total += worker->read.load(std::memory_order_relaxed);
  return total;
}

void UnitPool::Drain() {
  std::unique_lock<std::mutex> hold(mutex_);
  WaitTicking(hold, [this] { return (queue_.empty() && busy_ == 0) || !stopped_.ok(); });
}

UnitPool::UnitPool(const MigrateOptions& options, const Mapping& mapping, RejectSink* rejects)
    : options_(options), mapping_(mapping), rejects_(rejects) {}

UnitPool::~UnitPool() { JoinWorkers(); }

void UnitPool::JoinWorkers() {
  {
    std::lock_guard<std::mutex> hold(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

Status UnitPool::Start(const LoaderFactory& make_loader, bool share_user_locks) {
  share_user_locks_ = share_user_locks && !options_.dry_run;
  if (share_user_locks_) make_loader_ = make_loader;
  // Opening a loader is a connection and its checks of the target's catalog (tens of round
  // trips): the workers' loaders, and the run's lock loader when it will be needed, open at
  // once rather than one after another before the first unit can start.
  const int jobs = std::max(options_.jobs, 1);
  std::vector<std::optional<Result<std::unique_ptr<Loader>>>> opened(jobs + 1);
  {
    std::vector<std::thread> openers;
    for (int i = 1; i < jobs + (share_user_locks_ ? 1 : 0); ++i) {
      openers.emplace_back([&opened, &make_loader, i] { opened[i].emplace(make_loader()); });
    }
    opened[0].emplace(make_loader());
    for (std::thread& opener : openers) opener.join();
  }
  if (share_user_locks_ && opened[jobs]->ok()) {
    // Kept for HoldForRun; when it could not open, HoldForRun tries again and, failing, loads
    // the user's units one by one (as when the lock loader was opened there).
    lock_loader_ = std::move(**opened[jobs]);
  }
  for (int i = 0; i < options_.jobs; ++i) {
    auto worker = std::make_unique<Worker>();
    FERRY_ASSIGN_OR_RETURN(worker->loader, std::move(*opened[i]));
    worker->processor = std::make_unique<UnitProcessor>(options_, mapping_, worker->loader.get(),
                                                        rejects_, &worker->report);
    worker->processor->SetProgressHook([w = worker.get()](uint64_t) {
      w->read.store(w->report.TotalRead(), std::memory_order_relaxed);
    });
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    threads_.emplace_back([this, w = worker.get()] { Work(w); });
  }
  return Status::OK();
}

Status UnitPool::Submit(UnitEntries unit) {
  Result<std::string> user = UnitUserId(options_, unit);  // its worker reports a failure
  // Routing every key of the unit is the reader's work, outside the lock, not the workers'.
  Footprint footprint = share_user_locks_ && user.ok() ? FootprintOf(*user, unit) : Footprint{};
  std::unique_lock<std::mutex> hold(mutex_);
  WaitTicking(hold, [this] {
    return !stopped_.ok() || queue_.size() < static_cast<size_t>(options_.jobs);
  });
  if (!stopped_.ok()) return stopped_;
  FERRY_RETURN_IF_ERROR(CheckStop());
  queue_.push_back(Queued{std::move(unit), user.ok() ? *user : "", std::move(footprint)});
  hold.unlock();
  changed_.notify_all();
  return Status::OK();
}

void UnitPool::CountUnit(int64_t read, int64_t rejected) {
  read_ += read;
  rejected_ += rejected;
  if (!options_.continue_on_error || !stopped_.ok()) return;
  Status passed = RejectRateCheck(read_, rejected_, options_.max_reject_rate);
  if (passed.ok()) return;
  if (options_.dry_run) {  // a dry run reads on, and says where the real run would stop
    if (would_stop_.empty()) {
      would_stop_ = "the run would stop here: " + passed.message() + " (all users together)";
    }
    return;
  }
  stopped_ = Status::Rejected(passed.message() + " (all users together); no further user started");
  queue_.clear();
}

UnitPool::Footprint UnitPool::FootprintOf(const std::string& user, const UnitEntries& unit) const {
  Footprint footprint;
  footprint.user = user;
  Entry scratch;
  std::string last_key;  // a database table's entries share their key: route it once
  for (size_t i = 0; i < unit.size(); ++i) {
    Result<const Entry*> entry = unit.Get(i, &scratch, /*with_value=*/false);
    if (!entry.ok()) return Footprint{user, {}, {}};  // its worker reports it; waits for all
    if (i > 0 && (*entry)->key == last_key) continue;
    last_key = (*entry)->key;
    Route route = RouteEntry(mapping_, **entry);
    if (route.entity != nullptr) footprint.writes.insert(route.entity->name);
  }
  for (const EntityMapping& entity : mapping_.entities) {
    if (footprint.writes.count(entity.name) == 0) continue;
    for (const std::string& parent : entity.parents) {
      if (footprint.writes.count(parent) == 0) footprint.needs.insert(parent);
    }
  }
  return footprint;
}

bool UnitPool::MustWait(const Footprint& later, const Footprint& earlier) {
  if (later.writes.empty() || earlier.writes.empty()) return true;
  for (const std::string& entity : earlier.writes) {
    if (later.writes.count(entity) != 0 || later.needs.count(entity) != 0) return true;
  }
  for (const std::string& entity : later.writes) {
    if (earlier.needs.count(entity) != 0) return true;
  }
  return false;
}

bool UnitPool::Ready(std::deque<Queued>::iterator it) {
  if (it->user.empty()) return true;
  if (!share_user_locks_ || serial_users_.count(it->user) != 0) {
    return busy_users_.count(it->user) == 0;
  }
  for (const auto& [flight, footprint] : in_flight_) {
    if (footprint.user == it->user && MustWait(it->footprint, footprint)) return false;
  }
  for (auto earlier = queue_.begin(); earlier != it; ++earlier) {
    if (earlier->user == it->user && MustWait(it->footprint, earlier->footprint)) return false;
  }
  return true;
}

std::deque<UnitPool::Queued>::iterator UnitPool::NextReady() {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (Ready(it)) return it;
  }
  return queue_.end();
}

bool UnitPool::HoldForRun(const std::string& user) {
  if (run_locked_.count(user) != 0) return true;
  if (serial_users_.count(user) != 0) return false;
  Status status;
  if (lock_loader_ == nullptr) {
    Result<std::unique_ptr<Loader>> made = make_loader_();
    if (made.ok()) lock_loader_ = std::move(*made);
    status = made.status();
  }
  if (status.ok()) status = lock_loader_->LockUser(user);
  if (!status.ok()) {
    // Its units go one after the other, each taking the lock itself (and refused alike when
    // another run holds it: the same message and exit as without this pool's sharing).
    spdlog::debug("user {}: the run does not hold its lock ({}); its units load one by one", user,
                  status.ToString());
    serial_users_.insert(user);
    return false;
  }
  run_locked_.insert(user);
  return true;
}

void UnitPool::ReleaseRunLocks() {
  for (const std::string& user : run_locked_) {
    Status released = lock_loader_->UnlockUser(user);
    if (!released.ok()) {
      // The lock ends with this process's session anyway; its row is then stale.
      spdlog::warn("user {}: releasing the run's lock: {}", user, released.ToString());
    }
  }
  run_locked_.clear();
  lock_loader_.reset();
}

void UnitPool::Work(Worker* worker) {
  while (true) {
    // The unit before is gone: what the arenas keep of it goes back past the bound.
    TrimIfResidentAbove();
    UnitEntries unit;
    std::string user;
    bool joined = false;  // the run holds the user's lock: the worker joins it
    int64_t flight = -1;  // its key in in_flight_ when joined
    {
      std::unique_lock<std::mutex> hold(mutex_);
      changed_.wait(hold,
                    [this] { return (closing_ && queue_.empty()) || NextReady() != queue_.end(); });
      auto next = NextReady();
      if (next == queue_.end()) return;  // closing, and nothing left
      unit = std::move(next->entries);
      user = std::move(next->user);
      Footprint footprint = std::move(next->footprint);
      queue_.erase(next);
      joined = !user.empty() && share_user_locks_ && HoldForRun(user);
      if (joined) {
        flight = next_flight_++;
        in_flight_[flight] = std::move(footprint);
      } else if (!user.empty()) {
        busy_users_.insert(user);
      }
      ++busy_;
    }
    changed_.notify_all();
    auto done_with_user = [&] {  // REQUIRES: mutex_ held
      if (joined) {
        in_flight_.erase(flight);
      } else if (!user.empty()) {
        busy_users_.erase(user);
      }
    };
    if (StopSignal() != 0) {  // stopping: a unit not begun is left for the resume
      std::lock_guard<std::mutex> hold(mutex_);
      done_with_user();
      --busy_;
      if (stopped_.ok()) stopped_ = CheckStop();
      changed_.notify_all();
      continue;
    }
    int64_t read_before = worker->report.TotalRead();
    int64_t rejected_before = worker->report.TotalRejected();
    worker->processor->SetLockHeldByRun(joined);
    bool lost = false;
    if (joined) {
      std::lock_guard<std::mutex> hold(mutex_);
      lost = lost_locks_.count(user) != 0;
    }
    // Once the run's lock of the user is lost, its other units would each spend the retries
    // on a lock nobody takes again: they are failed at once, unbegun.
    Status status =
        lost ? Status::Unavailable("not begun: the run lost the lock of user " + user +
                                   " (the session holding it for the run's workers ended)")
             : worker->processor->Process(unit);
    if (lost) worker->report.units++;  // Process counts the units it takes
    if (!lost && joined && worker->processor->LockLost()) {
      std::lock_guard<std::mutex> hold(mutex_);
      lost_locks_.insert(user);
    }
    if (!status.ok() && !IsStop(status)) {
      std::string whose = lost ? user : worker->processor->user_id();
      std::string name = whose.empty() ? unit.unit() : whose;
      spdlog::error("user {}: {}", name, status.ToString());
      worker->report.failed_units.push_back(fmt::format("{}: {}", name, status.ToString()));
    }
    {
      std::lock_guard<std::mutex> hold(mutex_);
      done_with_user();
      if (IsStop(status) && stopped_.ok()) stopped_ = status;
      if (!status.ok() && !status.IsRejected()) all_failures_rejects_ = false;
      if (!status.ok() && !status.IsLocked()) all_failures_locked_ = false;
      CountUnit(worker->report.TotalRead() - read_before,
                worker->report.TotalRejected() - rejected_before);
      worker->read.store(worker->report.TotalRead(), std::memory_order_relaxed);
      units_done_.fetch_add(1, std::memory_order_relaxed);
      --busy_;
    }
    changed_.notify_all();
  }
}

Status UnitPool::Finish(RunReport* report) {
  tick_ = nullptr;  // it may hold the reader's locals; nothing waits with it from here
  JoinWorkers();
  ReleaseRunLocks();
  for (const auto& worker : workers_) report->Merge(worker->report);
  if (report->would_stop.empty()) report->would_stop = would_stop_;
  return stopped_;
}

}  // namespace ferry

#include "agent/run/unit_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "agent/run/stop_signal.h"
#include "agent/run/unit_user_id.h"

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

Status UnitPool::Start(const LoaderFactory& make_loader) {
  for (int i = 0; i < options_.jobs; ++i) {
    auto worker = std::make_unique<Worker>();
    FERRY_ASSIGN_OR_RETURN(worker->loader, make_loader());
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
  std::unique_lock<std::mutex> hold(mutex_);
  WaitTicking(hold, [this] {
    return !stopped_.ok() || queue_.size() < static_cast<size_t>(options_.jobs);
  });
  if (!stopped_.ok()) return stopped_;
  FERRY_RETURN_IF_ERROR(CheckStop());
  queue_.push_back(Queued{std::move(unit), user.ok() ? *user : ""});
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

std::deque<UnitPool::Queued>::iterator UnitPool::NextReady() {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->user.empty() || busy_users_.count(it->user) == 0) return it;
  }
  return queue_.end();
}

void UnitPool::Work(Worker* worker) {
  while (true) {
    UnitEntries unit;
    std::string user;
    {
      std::unique_lock<std::mutex> hold(mutex_);
      changed_.wait(hold,
                    [this] { return (closing_ && queue_.empty()) || NextReady() != queue_.end(); });
      auto next = NextReady();
      if (next == queue_.end()) return;  // closing, and nothing left
      unit = std::move(next->entries);
      user = std::move(next->user);
      queue_.erase(next);
      if (!user.empty()) busy_users_.insert(user);
      ++busy_;
    }
    changed_.notify_all();
    if (StopSignal() != 0) {  // stopping: a unit not begun is left for the resume
      std::lock_guard<std::mutex> hold(mutex_);
      if (!user.empty()) busy_users_.erase(user);
      --busy_;
      if (stopped_.ok()) stopped_ = CheckStop();
      changed_.notify_all();
      continue;
    }
    int64_t read_before = worker->report.TotalRead();
    int64_t rejected_before = worker->report.TotalRejected();
    Status status = worker->processor->Process(unit);
    if (!status.ok() && !IsStop(status)) {
      std::string user = worker->processor->user_id();
      std::string name = user.empty() ? unit.unit() : user;
      spdlog::error("user {}: {}", name, status.ToString());
      worker->report.failed_units.push_back(fmt::format("{}: {}", name, status.ToString()));
    }
    {
      std::lock_guard<std::mutex> hold(mutex_);
      if (!user.empty()) busy_users_.erase(user);
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
  for (const auto& worker : workers_) report->Merge(worker->report);
  if (report->would_stop.empty()) report->would_stop = would_stop_;
  return stopped_;
}

}  // namespace ferry

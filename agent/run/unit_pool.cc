#include "agent/run/unit_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

namespace ferry {

struct UnitPool::Worker {
  std::unique_ptr<Loader> loader;
  RunReport report;
  std::unique_ptr<UnitProcessor> processor;
};

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
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    threads_.emplace_back([this, w = worker.get()] { Work(w); });
  }
  return Status::OK();
}

void UnitPool::Submit(std::vector<Entry> unit) {
  std::unique_lock<std::mutex> hold(mutex_);
  changed_.wait(hold, [this] { return queue_.size() < static_cast<size_t>(options_.jobs); });
  queue_.push_back(std::move(unit));
  hold.unlock();
  changed_.notify_all();
}

void UnitPool::Work(Worker* worker) {
  while (true) {
    std::vector<Entry> unit;
    {
      std::unique_lock<std::mutex> hold(mutex_);
      changed_.wait(hold, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and nothing left
      unit = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();
    Status status = worker->processor->Process(unit);
    if (!status.ok()) {
      std::string user = worker->processor->user_id();
      std::string name = user.empty() ? unit.front().unit : user;
      spdlog::error("user {}: {}", name, status.ToString());
      worker->report.failed_units.push_back(fmt::format("{}: {}", name, status.ToString()));
    }
  }
}

void UnitPool::Finish(RunReport* report) {
  JoinWorkers();
  for (const auto& worker : workers_) report->Merge(worker->report);
}

}  // namespace ferry

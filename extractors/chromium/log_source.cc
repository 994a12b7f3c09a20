#include "extractors/chromium/log_source.h"

#include <fmt/format.h>

#include <map>

#include "extractors/chromium/log_reader.h"
#include "extractors/chromium/write_batch.h"

namespace ferry::chromium {

namespace {

struct LoggedOperation {
  uint64_t sequence = 0;
  bool deletion = false;
  std::string value;
  Location where;  // the log and the offset of the record holding the batch
};

class LogSource final : public SortedSource {
 public:
  // Applies one operation read from `where`, keeping the newest per key.
  void Apply(const BatchOperation& operation, const Location& where) {
    auto [it, inserted] = operations_.try_emplace(std::string(operation.key));
    if (!inserted && it->second.sequence > operation.sequence) {
      return;
    }
    it->second.sequence = operation.sequence;
    it->second.deletion = operation.deletion;
    it->second.value.assign(operation.value);
    it->second.where = where;
  }

  void Start() { current_ = operations_.begin(); }

  bool Valid() const override { return current_ != operations_.end(); }
  std::string_view user_key() const override { return current_->first; }
  uint64_t sequence() const override { return current_->second.sequence; }
  bool deletion() const override { return current_->second.deletion; }
  std::string_view value() const override { return current_->second.value; }
  const Location& where() const override { return current_->second.where; }
  void Next() override {
    // What has been yielded is not needed again: free it as we go.
    current_ = operations_.erase(current_);
  }

 private:
  std::map<std::string, LoggedOperation, std::less<>> operations_;
  std::map<std::string, LoggedOperation, std::less<>>::iterator current_;
};

}  // namespace

Result<std::unique_ptr<SortedSource>> ReadLogs(const std::string& dir,
                                               const std::string& display_dir,
                                               const std::vector<std::string>& names,
                                               const CorruptionReporter& reporter) {
  auto source = std::make_unique<LogSource>();
  for (const std::string& name : names) {
    std::string display_path = display_dir + "/" + name;
    FERRY_ASSIGN_OR_RETURN(FileHandle file, FileHandle::Open(dir + "/" + name, display_path));
    LogReader log(std::move(file), reporter);
    std::string record;
    uint64_t offset = 0;
    while (log.ReadRecord(&record, &offset)) {
      Location where;
      where.file = display_path;
      where.offset = static_cast<int64_t>(offset);
      Status batch = ForEachBatchOperation(
          record, [&](const BatchOperation& operation) { source->Apply(operation, where); });
      if (!batch.ok()) {
        reporter(where, Status::Corruption(fmt::format(
                            "write batch in the record at offset {}: {}; the rest of the batch "
                            "is dropped",
                            offset, batch.message())));
      }
    }
    FERRY_RETURN_IF_ERROR(log.status());
  }
  source->Start();
  return std::unique_ptr<SortedSource>(std::move(source));
}

}  // namespace ferry::chromium

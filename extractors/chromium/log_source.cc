#include "extractors/chromium/log_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "base/spilling_key_index.h"
#include "extractors/chromium/log_reader.h"
#include "extractors/chromium/write_batch.h"

namespace ferry::chromium {

namespace {

// Where the newest operation on a key is: its value is read again from the log when the key's
// turn comes, so that the logs cost about 40 bytes plus the key per key, never their values,
// and those only up to a budget: past it they go to a temporary file (SpillingKeyIndex, issue
// 15). The sequence is the index's rank, so it is not repeated here.
struct LoggedOperation {
  uint64_t record_offset = 0;  // the record holding the batch, in its log
  // The value's file offset when it lies in one fragment; else the index of its first span
  // in LogSource::spans_ (value_spans of them).
  uint64_t value_at = 0;
  uint64_t value_size = 0;
  uint32_t log = 0;          // index in LogSource::logs_
  uint32_t value_spans = 0;  // 0: one piece at value_at
  bool deletion = false;
};
static_assert(std::is_trivially_copyable_v<LoggedOperation>);

// A piece of a value that crosses fragments: `size` bytes at `file_offset`.
struct Span {
  uint64_t file_offset = 0;
  uint64_t size = 0;
};

class LogSource final : public SortedSource {
 public:
  LogSource(CorruptionReporter reporter, uint64_t memory_budget)
      : reporter_(std::move(reporter)), operations_(memory_budget) {}

  // The logs, in the order their operations are applied; kept open to read values again.
  void AddLog(FileHandle file) { logs_.push_back(std::move(file)); }

  // Applies one operation of `record` (of the last log added, at `record_offset`, whose
  // `fragments` say where its bytes are), keeping the newest per key (the highest sequence; of
  // equal ones the last applied). Fails IOError when the index cannot spill.
  Status Apply(const BatchOperation& operation, std::string_view record, uint64_t record_offset,
               const std::vector<RecordFragment>& fragments) {
    LoggedOperation op;
    Locate(operation, record, record_offset, fragments, &op);
    return operations_.Put(operation.key, operation.sequence,
                           std::string_view(reinterpret_cast<const char*>(&op), sizeof(op)));
  }

  // Ends the replay and positions at the first key.
  Status Start() {
    FERRY_RETURN_IF_ERROR(operations_.Finish());
    Decode();
    return Status::OK();
  }

  bool Valid() const override { return operations_.Valid(); }
  std::string_view user_key() const override { return operations_.key(); }
  uint64_t sequence() const override { return operations_.rank(); }
  bool deletion() const override { return current_.deletion; }
  std::string_view value() const override {
    Load();
    return value_;
  }
  const Location& where() const override {
    Load();
    return where_;
  }
  void Next() override {
    operations_.Next();
    Decode();
  }

 private:
  // Fills *op with where the operation's value is.
  void Locate(const BatchOperation& operation, std::string_view record, uint64_t record_offset,
              const std::vector<RecordFragment>& fragments, LoggedOperation* out) {
    LoggedOperation& op = *out;
    op.deletion = operation.deletion;
    op.record_offset = record_offset;
    op.log = static_cast<uint32_t>(logs_.size() - 1);
    op.value_size = operation.value.size();
    op.value_spans = 0;
    op.value_at = 0;
    if (operation.value.empty()) return;
    uint64_t begin = static_cast<uint64_t>(operation.value.data() - record.data());
    uint64_t end = begin + operation.value.size();
    // The fragment holding the value's first byte, then each one it runs into.
    auto first =
        std::upper_bound(fragments.begin(), fragments.end(), begin,
                         [](uint64_t pos, const RecordFragment& f) { return pos < f.record_pos; });
    --first;  // fragments.front().record_pos == 0 <= begin
    if (end <= first->record_pos + first->size) {
      op.value_at = first->file_offset + (begin - first->record_pos);
      return;
    }
    op.value_at = spans_.size();
    for (auto f = first; f != fragments.end() && f->record_pos < end; ++f) {
      uint64_t from = std::max(begin, f->record_pos);
      uint64_t to = std::min(end, f->record_pos + f->size);
      spans_.push_back({f->file_offset + (from - f->record_pos), to - from});
      ++op.value_spans;
    }
  }

  // Reads the current key's operation out of the index; a failed read of its temporary file
  // ends the keys early, reported as damage with the folder of the logs.
  void Decode() {
    loaded_ = false;
    if (operations_.Valid()) {
      std::memcpy(&current_, operations_.value().data(), sizeof(current_));
    } else if (!operations_.status().ok() && !read_failure_reported_) {
      read_failure_reported_ = true;
      Location where;
      where.file = logs_.empty() ? std::string() : logs_.back().display_path();
      reporter_(where, Status::Corruption(
                           fmt::format("the keys of the logs after this point are missing: {}",
                                       operations_.status().message())));
    }
  }

  // Reads `size` bytes at `offset` of log `log` into value_ at `at`.
  Status ReadPiece(uint32_t log, uint64_t offset, uint64_t size, size_t at) const {
    Result<size_t> got = logs_[log].Read(offset, size, value_.data() + at);
    if (!got.ok()) return got.status();
    if (*got != size) return Status::Corruption("the log is shorter than when it was read");
    return Status::OK();
  }

  // Reads the current key's value (again, from its log) and its place, once per key.
  void Load() const {
    if (loaded_) return;
    loaded_ = true;
    const LoggedOperation& op = current_;
    where_ = Location();
    where_.file = logs_[op.log].display_path();
    where_.offset = static_cast<int64_t>(op.record_offset);
    value_.assign(op.value_size, '\0');
    Status read = Status::OK();
    if (op.value_spans == 0) {
      if (op.value_size > 0) read = ReadPiece(op.log, op.value_at, op.value_size, 0);
    } else {
      size_t at = 0;
      for (uint32_t i = 0; i < op.value_spans && read.ok(); ++i) {
        const Span& span = spans_[op.value_at + i];
        read = ReadPiece(op.log, span.file_offset, span.size, at);
        at += span.size;
      }
    }
    if (!read.ok()) {
      value_.clear();
      reporter_(where_, Status::Corruption(fmt::format(
                            "the value could not be read again from the log ({}): the log "
                            "changed while ferry read it",
                            read.message())));
    }
  }

  CorruptionReporter reporter_;
  SpillingKeyIndex operations_;  // key -> its newest LoggedOperation, ranked by sequence
  LoggedOperation current_;      // the current key's
  bool read_failure_reported_ = false;
  std::vector<FileHandle> logs_;
  std::vector<Span> spans_;
  // The current key's value and place, read when first asked for.
  mutable bool loaded_ = false;
  mutable std::string value_;
  mutable Location where_;
};

}  // namespace

Result<std::unique_ptr<SortedSource>> ReadLogs(const std::string& dir,
                                               const std::string& display_dir,
                                               const std::vector<std::string>& names,
                                               const CorruptionReporter& reporter,
                                               uint64_t memory_budget) {
  auto source = std::make_unique<LogSource>(reporter, memory_budget);
  for (const std::string& name : names) {
    std::string display_path = display_dir + "/" + name;
    FERRY_ASSIGN_OR_RETURN(FileHandle file, FileHandle::Open(dir + "/" + name, display_path));
    FERRY_ASSIGN_OR_RETURN(FileHandle again, FileHandle::Open(dir + "/" + name, display_path));
    source->AddLog(std::move(again));
    LogReader log(std::move(file), reporter);
    std::string record;
    uint64_t offset = 0;
    Status applied = Status::OK();
    while (log.ReadRecord(&record, &offset)) {
      Status batch = ForEachBatchOperation(record, [&](const BatchOperation& operation) {
        if (applied.ok()) {
          applied = source->Apply(operation, record, offset, log.last_record_fragments());
        }
      });
      FERRY_RETURN_IF_ERROR(applied);
      if (!batch.ok()) {
        Location where;
        where.file = display_path;
        where.offset = static_cast<int64_t>(offset);
        reporter(where, Status::Corruption(fmt::format(
                            "write batch in the record at offset {}: {}; the rest of the batch "
                            "is dropped",
                            offset, batch.message())));
      }
    }
    FERRY_RETURN_IF_ERROR(log.status());
  }
  FERRY_RETURN_IF_ERROR(source->Start());
  return std::unique_ptr<SortedSource>(std::move(source));
}

}  // namespace ferry::chromium

// RejectSink: the run's reject file, one JSON object per line (NDJSON).
//
// The file is created on the first reject only, so a clean run leaves no empty file behind.
// Each line carries the run, the user, the place (file, origin, key, index, line, JSON
// pointer), the schema location, the reason and — only when safe — the offending value.
//
// A resumed run appends to the file of its earlier sessions (the same run id, the same default
// name) and writes each reject once across them: SkipEarlierSessions counts the lines the file
// holds of the run, and Write leaves out a line it holds already. Each line is flushed as it is
// written, so a kill loses none it wrote (a torn last line is cut off on resume).
//
// Thread safety: Write and Close may be called from several threads (--jobs).
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "transformers/reject.h"

namespace ferry {

class RejectSink {
 public:
  // `path` empty: rejects are counted but not written anywhere.
  RejectSink(std::string path, std::string run_id);
  RejectSink(const RejectSink&) = delete;
  RejectSink& operator=(const RejectSink&) = delete;

  // Appends one line, unless the run's earlier sessions wrote the same line (as many times).
  // Fails naming the file when it cannot be created or written.
  Status Write(const std::string& user_id, const Reject& reject);

  // For a resumed run, before the first Write: remembers the lines of this run the file holds
  // (64-bit hashes: ~40 bytes a reject), and cuts a torn last line off. No file: nothing.
  Status SkipEarlierSessions();

  // Flushes to disk. Fails naming the file.
  Status Close();

  // Where lines went; empty when none were written.
  std::string written_path() const { return written_ ? path_ : std::string(); }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::mutex mutex_;  // --jobs: workers write to one file
  std::string path_;
  std::string run_id_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  bool written_ = false;
  std::unordered_map<uint64_t, int64_t> earlier_;  // line hash -> lines of earlier sessions
};

}  // namespace ferry

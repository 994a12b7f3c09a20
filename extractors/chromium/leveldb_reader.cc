#include "extractors/chromium/leveldb_reader.h"

#include <utility>

#include "extractors/chromium/live_files.h"
#include "extractors/chromium/log_source.h"
#include "extractors/chromium/table_source.h"

namespace ferry::chromium {

Result<std::unique_ptr<LevelDbReader>> LevelDbReader::Open(const std::string& dir,
                                                           const std::string& display_dir,
                                                           CorruptionReporter reporter) {
  FERRY_ASSIGN_OR_RETURN(LiveFiles live, FindLiveFiles(dir, display_dir, reporter));
  std::vector<std::unique_ptr<SortedSource>> sources;
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<SortedSource> logs,
                         ReadLogs(dir, display_dir, live.logs, reporter));
  sources.push_back(std::move(logs));
  for (const LiveTable& table : live.tables) {
    if (std::unique_ptr<SortedSource> source = OpenTable(dir, display_dir, table, reporter)) {
      sources.push_back(std::move(source));
    }
  }
  auto reader = std::make_unique<LevelDbReader>(std::move(sources));
  reader->FindNextLive();
  return reader;
}

LevelDbReader::LevelDbReader(std::vector<std::unique_ptr<SortedSource>> sources)
    : sources_(std::move(sources)) {}

LevelDbReader::~LevelDbReader() = default;

void LevelDbReader::Next() {
  SkipCurrentKey();
  FindNextLive();
}

void LevelDbReader::FindNextLive() {
  while (true) {
    current_ = nullptr;
    // A handful of sources (the logs and a few tables): a linear scan beats a heap here.
    for (const std::unique_ptr<SortedSource>& source : sources_) {
      if (!source->Valid()) {
        continue;
      }
      if (current_ == nullptr) {
        current_ = source.get();
        continue;
      }
      int order = source->user_key().compare(current_->user_key());
      if (order < 0 || (order == 0 && source->sequence() > current_->sequence())) {
        current_ = source.get();
      }
    }
    if (current_ == nullptr) {
      return;
    }
    key_.assign(current_->user_key());
    if (!current_->deletion()) {
      return;
    }
    SkipCurrentKey();
  }
}

void LevelDbReader::SkipCurrentKey() {
  for (const std::unique_ptr<SortedSource>& source : sources_) {
    while (source->Valid() && source->user_key() == key_) {
      source->Next();
    }
  }
}

}  // namespace ferry::chromium

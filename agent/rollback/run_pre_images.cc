#include "agent/rollback/run_pre_images.h"

#include <cstdint>
#include <cstdlib>

#include "backup/backup_reader.h"
#include "backup/backup_store.h"

namespace ferry {

namespace {

// Passes each pre-image record to `sink`; the rest of the archive is only verified.
class PreImageForwarder final : public backup::BackupVisitor {
 public:
  explicit PreImageForwarder(const FirstPreImages::RecordSink* sink) : sink_(sink) {}
  Status OnPreImage(std::string_view record) override {
    return sink_ != nullptr ? (*sink_)(record) : Status::OK();
  }

 private:
  const FirstPreImages::RecordSink* sink_;
};

// True for the one kind of damage a killed run leaves: the archive stops after its last
// complete chunk (a section without its final tag, or no end segment), all of it verified.
bool OnlyUnfinished(const Status& status, const backup::ReadOutcome& outcome) {
  if (!outcome.sources_complete || outcome.finished) return false;
  const std::string& message = status.message();
  // A kill while a chunk was being written cuts its frame: at the end of the file only, since
  // the reader stops there, after every complete chunk.
  return message.find("no final tag (a crash while writing") != std::string::npos ||
         message.find("the archive has no end segment") != std::string::npos ||
         message.find("cut inside its frame header") != std::string::npos ||
         message.find("cut (the archive ends inside it)") != std::string::npos;
}

// The memory budget of the rollback's index: kKeyIndexMemoryBudget, or (a test hook, so that a
// test sees the bound with small runs) FERRY_TEST_ROLLBACK_BUDGET bytes.
uint64_t IndexBudget() {
  const char* text = std::getenv("FERRY_TEST_ROLLBACK_BUDGET");
  uint64_t budget = text != nullptr ? std::strtoull(text, nullptr, 10) : 0;
  return budget > 0 ? budget : kKeyIndexMemoryBudget;
}

// One archive of the run, and the key it is read with.
struct RunArchive {
  std::string id;
  std::string path;
  backup::KeyMaterial key;
};

// Reads `archive` whole, every record to `sink` (may be null); *unfinished when a killed session
// left it so (read up to its last complete chunk). Any other damage fails.
Status ReadArchive(const RunArchive& archive, const FirstPreImages::RecordSink* sink,
                   bool* unfinished) {
  FERRY_ASSIGN_OR_RETURN(auto reader, backup::BackupReader::Open(archive.path, archive.key));
  PreImageForwarder forwarder(sink);
  backup::ReadOutcome outcome;
  Status status = reader->Read(&forwarder, &outcome);
  *unfinished = !status.ok();
  if (!status.ok() && !OnlyUnfinished(status, outcome)) {
    return status.WithContext("backup " + archive.id);
  }
  return Status::OK();
}

}  // namespace

Status ReadRunPreImages(const std::string& dir, const std::string& run_id,
                        const backup::KeyOptions& key_options, RunPreImages* out) {
  FERRY_ASSIGN_OR_RETURN(std::vector<backup::StoredArchive> archives, backup::ListArchives(dir));
  backup::KeyEnvironment env = backup::KeyEnvironment::Process();
  auto found = std::make_shared<std::vector<RunArchive>>();
  for (const backup::StoredArchive& archive : archives) {
    if (!archive.status.ok() || archive.info.header.run_id != run_id) continue;
    FERRY_ASSIGN_OR_RETURN(
        backup::KeyMaterial key,
        backup::ResolveKeyForReading(archive.info.header.key_kind, key_options, env));
    RunArchive run_archive{archive.id, archive.path, std::move(key)};
    bool unfinished = false;
    FERRY_RETURN_IF_ERROR(ReadArchive(run_archive, nullptr, &unfinished));
    out->archives.push_back(archive.id);
    if (unfinished) out->unfinished.push_back(archive.id);
    found->push_back(std::move(run_archive));
  }
  if (out->archives.empty()) {
    return Status::NotFound("no backup of run " + run_id + " in " + dir +
                            " (a run made with --no-backup cannot be rolled back; "
                            "--backup-dir names another folder)");
  }
  out->images = std::make_unique<FirstPreImages>(
      [found](const FirstPreImages::RecordSink& sink) -> Status {
        for (const RunArchive& archive : *found) {
          bool unfinished = false;
          FERRY_RETURN_IF_ERROR(ReadArchive(archive, &sink, &unfinished));
        }
        return Status::OK();
      },
      IndexBudget());
  return Status::OK();
}

RunPreImages NoRunPreImages() {
  RunPreImages none;
  none.images = std::make_unique<FirstPreImages>(
      [](const FirstPreImages::RecordSink&) { return Status::OK(); }, IndexBudget());
  return none;
}

}  // namespace ferry

#include "agent/rollback/run_pre_images.h"

#include "backup/backup_reader.h"
#include "backup/backup_store.h"

namespace ferry {

namespace {

class PreImageCollector final : public backup::BackupVisitor {
 public:
  explicit PreImageCollector(FirstPreImages* images) : images_(images) {}
  Status OnPreImage(std::string_view record) override {
    FERRY_ASSIGN_OR_RETURN(PreImage image, DecodePreImage(record));
    images_->Add(std::move(image));
    return Status::OK();
  }

 private:
  FirstPreImages* images_;
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

}  // namespace

Status ReadRunPreImages(const std::string& dir, const std::string& run_id,
                        const backup::KeyOptions& key_options, RunPreImages* out) {
  FERRY_ASSIGN_OR_RETURN(std::vector<backup::StoredArchive> archives, backup::ListArchives(dir));
  backup::KeyEnvironment env = backup::KeyEnvironment::Process();
  for (const backup::StoredArchive& archive : archives) {
    if (!archive.status.ok() || archive.info.header.run_id != run_id) continue;
    FERRY_ASSIGN_OR_RETURN(
        backup::KeyMaterial key,
        backup::ResolveKeyForReading(archive.info.header.key_kind, key_options, env));
    FERRY_ASSIGN_OR_RETURN(auto reader, backup::BackupReader::Open(archive.path, key));
    PreImageCollector collector(&out->images);
    backup::ReadOutcome outcome;
    Status status = reader->Read(&collector, &outcome);
    if (!status.ok() && !OnlyUnfinished(status, outcome)) {
      return status.WithContext("backup " + archive.id);
    }
    out->archives.push_back(archive.id);
    if (!status.ok()) out->unfinished.push_back(archive.id);
  }
  if (out->archives.empty()) {
    return Status::NotFound("no backup of run " + run_id + " in " + dir +
                            " (a run made with --no-backup cannot be rolled back; "
                            "--backup-dir names another folder)");
  }
  return Status::OK();
}

}  // namespace ferry

// BackupWriter: writes one encrypted, compressed backup archive (backup/backup_format.h),
// streaming: memory stays within a few chunks whatever the size of the sources.
//
// Order of calls: Create, AddSource/AddSourceFile..., EndSources, then any number of
// pre-image sections (BeginPreImages, AppendPreImage/Flush..., EndPreImages), then Finish.
// Every section is its own secretstream segment with its own final tag, so a crash in the
// middle of a section leaves every flushed chunk before it readable and verifiable.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backup/backup_format.h"
#include "backup/backup_reader.h"
#include "backup/read_back_reference.h"
#include "backup/secret.h"
#include "backup/written_bytes.h"
#include "base/result.h"

namespace ferry::backup {

struct BackupWriterOptions {
  std::string run_id;                         // the migrate run; empty for `ferry backup create`
  uint32_t chunk_bytes = kDefaultChunkBytes;  // raw bytes per data chunk
  int zstd_level = 1;                         // as ChunkCompressor's default (chunk_codec.h)
  // When set, told of every byte written up to the manifest (the header and each source
  // frame), so that a reader on another thread verifies the sources while they are written;
  // the manifest and summary are left to the caller to publish after EndSources has synced.
  WrittenBytes* written = nullptr;
  // When set, given each source chunk's raw bytes and each file's size and checksum as they
  // are written, for that reader to compare with what it reads back (read_back_reference.h).
  ReadBackReference* reference = nullptr;
};

class BackupWriter {
 public:
  // Creates the archive at `path` (which must not exist) readable by its owner only, and
  // writes its header. A passphrase is stretched with Argon2id (DefaultKdfParameters) and a
  // fresh salt. The key is not kept past the derivation of the archive's subkeys.
  static Result<std::unique_ptr<BackupWriter>> Create(const std::string& path,
                                                      const KeyMaterial& key,
                                                      const BackupWriterOptions& options);
  virtual ~BackupWriter() = default;
  BackupWriter(const BackupWriter&) = delete;
  BackupWriter& operator=(const BackupWriter&) = delete;

  // Adds a file, or every regular file under a directory (sorted, links not followed: each
  // link or special file is named in *skipped). Entry names are `source`'s last component
  // (made unique: "name~2") and the path below it, relative; each file's origin is its
  // absolute path.
  // REQUIRES: before EndSources.
  virtual Status AddSource(const std::string& source, std::vector<std::string>* skipped) = 0;

  // Adds one regular file under the relative entry `name`, restored in place to `origin`
  // (an absolute path). Read in chunks; its BLAKE2b-256 goes into the manifest.
  virtual Status AddSourceFile(const std::string& path, const std::string& origin,
                               const std::string& name) = 0;

  // Instead of AddSource: the sources are `files`, byte for byte those the earlier archive
  // `holder` (an id in the same folder, of the same run) holds. The manifest lists them and
  // the summary names `holder`; no source byte is written (a resumed run whose sources are
  // unchanged). `sources` are as AddSource's, for the summary's source set.
  // REQUIRES: no source added; before EndSources.
  virtual Status ReferSources(const std::vector<std::string>& sources, const std::string& holder,
                              const std::vector<ArchivedFile>& files) = 0;
  // Seals the manifest (the sources segment's final message) and the summary; syncs.
  virtual Status EndSources() = 0;

  // Opens a new pre-image segment. REQUIRES: EndSources done, no section open.
  virtual Status BeginPreImages() = 0;

  // Appends one record (a target row before a batch changes it). Buffered; a full chunk is
  // sealed and written. REQUIRES: a section open; record.size() <= kMaxRecordBytes.
  virtual Status AppendPreImage(std::string_view record) = 0;

  // Seals the records buffered so far and syncs them to disk: call before the batch whose
  // pre-images they are commits.
  virtual Status Flush() = 0;

  // Flushes and closes the section with its final message.
  virtual Status EndPreImages() = 0;

  // Closes any open section, writes the end segment, syncs and closes the file.
  virtual Status Finish() = 0;

  // Bytes written so far.
  virtual uint64_t size() const = 0;

 protected:
  BackupWriter() = default;
};

}  // namespace ferry::backup

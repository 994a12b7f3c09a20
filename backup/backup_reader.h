// BackupReader: opens an archive with its key and reads it in one pass, checking every
// chunk's authentication, every bound, every file's BLAKE2b-256 against its end record and
// the manifest, and the pre-image stream's running BLAKE2b. A failure names the part: the
// header, the summary, "chunk N (kind)", the manifest, or the segment that was cut.
//
// PeekArchive reads only the clear parts (header, summary, frame lengths), without a key:
// for `ferry backup list` and `prune`. What it returns is unverified.
//
// Thread safety: one thread at a time per reader.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backup/archive_header.h"
#include "backup/read_back_reference.h"
#include "backup/secret.h"
#include "backup/written_bytes.h"
#include "base/result.h"

namespace ferry::backup {

// Receives what a reader finds, in archive order. Any non-ok return stops the read with it.
class BackupVisitor {
 public:
  virtual ~BackupVisitor() = default;
  // A source file begins: it was read from `origin` (absolute) and is restored there, or to
  // DIR/`name` (relative). Both are as the archive says: a caller writing files checks them.
  virtual Status OnFileBegin(const std::string& origin, const std::string& name);
  // The next bytes of the current file (at most one chunk).
  virtual Status OnFileData(std::string_view bytes);
  // The current file is complete and its size and checksum matched.
  virtual Status OnFileEnd();
  // One pre-image record, in the order appended.
  virtual Status OnPreImage(std::string_view record);
};

// What a read found, valid also when it stopped on an error (up to that point).
struct ReadOutcome {
  bool sources_complete = false;  // every source file, the manifest and the summary verified
  uint32_t files = 0;
  uint64_t source_bytes = 0;
  // Set when the archive holds no source bytes but lists them, as held by this earlier
  // archive of the same run (a resumed run's archive, docs/formats/backup.md): the files
  // above are those listed, and `manifest_hash` must be the holder's.
  std::string sources_in;
  std::array<uint8_t, 32> manifest_hash{};  // BLAKE2b-256 of the manifest's plaintext
  uint32_t pre_image_sections = 0;          // complete ones
  uint64_t pre_image_records = 0;           // in complete chunks
  bool finished = false;                    // the end segment verified
};

// The clear, unverified facts of an archive, read without a key.
struct ArchiveInfo {
  ArchiveHeader header;
  bool has_summary = false;
  uint32_t sources = 0;
  uint64_t source_bytes = 0;
  std::array<uint8_t, 16> source_set{};  // BLAKE2b-128 of the sorted source paths
  std::string sources_in;                // the archive holding the sources; empty: this one
  bool finished = false;                 // the frames run to a complete end segment
  uint64_t file_bytes = 0;
};

// One source file as an archive's sources segment records it.
struct ArchivedFile {
  std::string origin;  // the absolute path it was read from
  std::string name;    // its entry name
  uint64_t size = 0;
  std::array<uint8_t, 32> hash{};  // BLAKE2b-256 of its bytes
};

// The sources segment of an archive, authenticated under its key but not decompressed.
struct SourcesListing {
  std::vector<ArchivedFile> files;  // in archive order
  std::array<uint8_t, 16> source_set{};
  std::string sources_in;  // as ReadOutcome's
};

// Reads the header and the clear frames of the archive at `path`.
Result<ArchiveInfo> PeekArchive(const std::string& path);

class BackupReader {
 public:
  // Opens `path` and checks the header's MAC with `key`: a wrong key (or passphrase), or an
  // altered header, fails here with Corruption naming the header.
  static Result<std::unique_ptr<BackupReader>> Open(const std::string& path,
                                                    const KeyMaterial& key);
  // As Open, for an archive still being written on another thread: Read waits for the bytes
  // it needs until `written` publishes them, and reads to the end of the file once it is
  // closed. With a `reference` (the writer's, read_back_reference.h), each source chunk read
  // back is compared with the bytes the writer hashed and each file's end record with the
  // writer's size and checksum, instead of hashing the bytes again. Both must outlive the
  // reader; the caller abandons `reference` when Read returns.
  static Result<std::unique_ptr<BackupReader>> OpenFollowing(const std::string& path,
                                                             const KeyMaterial& key,
                                                             const WrittenBytes* written,
                                                             ReadBackReference* reference);
  virtual ~BackupReader() = default;
  BackupReader(const BackupReader&) = delete;
  BackupReader& operator=(const BackupReader&) = delete;

  virtual const ArchiveHeader& header() const = 0;

  // Reads the whole archive, feeding `visitor` (nullptr: verify only). OK only when every
  // part verified and the archive was finished; *outcome says how far it got either way.
  // May be called once.
  virtual Status Read(BackupVisitor* visitor, ReadOutcome* outcome) = 0;

  // Reads the sources segment only, up to its summary: every frame's authentication, the
  // file records against the manifest and the summary's MAC are checked, but no chunk is
  // decompressed, so each file's size and BLAKE2b-256 are the ones its end record states (the
  // writer's, sealed under the key). For a resumed run comparing its sources with the run's
  // earlier archive. Instead of Read, once.
  virtual Status ReadSourcesListing(SourcesListing* listing) = 0;

 protected:
  BackupReader() = default;
};

}  // namespace ferry::backup

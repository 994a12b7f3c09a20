#include "extractors/chromium/manifest.h"

#include <fmt/format.h>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/coding.h"
#include "extractors/chromium/log_reader.h"

namespace ferry::chromium {

namespace {

Status Malformed(const char* field) {
  return Status::Corruption(fmt::format("version edit has a malformed {} field", field));
}

bool GetLevel(ByteReader* reader, uint32_t* level) {
  return reader->GetVarint32(level) && *level < kNumLevels;
}

}  // namespace

Status ApplyVersionEdit(std::string_view record, ManifestState* state) {
  ByteReader reader(record);
  while (!reader.empty()) {
    uint32_t tag = 0;
    if (!reader.GetVarint32(&tag)) {
      return Malformed("tag");
    }
    uint32_t level = 0;
    uint64_t number = 0;
    std::string_view bytes;
    switch (tag) {
      case kComparatorTag:
        if (!reader.GetLengthPrefixed(&bytes)) {
          return Malformed("comparator");
        }
        state->comparator.assign(bytes);
        break;
      case kLogNumberTag:
        if (!reader.GetVarint64(&state->log_number)) {
          return Malformed("log number");
        }
        break;
      case kPrevLogNumberTag:
        if (!reader.GetVarint64(&state->prev_log_number)) {
          return Malformed("previous log number");
        }
        break;
      case kNextFileNumberTag:
      case kLastSequenceTag:
        if (!reader.GetVarint64(&number)) {
          return Malformed("file number or sequence");
        }
        break;
      case kCompactPointerTag:
        if (!GetLevel(&reader, &level) || !reader.GetLengthPrefixed(&bytes)) {
          return Malformed("compact pointer");
        }
        break;
      case kDeletedFileTag:
        if (!GetLevel(&reader, &level) || !reader.GetVarint64(&number)) {
          return Malformed("deleted file");
        }
        state->tables.erase(number);
        break;
      case kNewFileTag: {
        TableInfo table;
        std::string_view smallest, largest;
        if (!GetLevel(&reader, &table.level) || !reader.GetVarint64(&number) ||
            !reader.GetVarint64(&table.size) || !reader.GetLengthPrefixed(&smallest) ||
            !reader.GetLengthPrefixed(&largest)) {
          return Malformed("new file");
        }
        state->tables[number] = table;
        break;
      }
      default:
        return Status::Corruption(fmt::format("version edit has unknown tag {}", tag));
    }
  }
  ++state->edits;
  return Status::OK();
}

Result<ManifestState> ReadManifest(const std::string& path, const std::string& display_path,
                                   const CorruptionReporter& reporter) {
  FERRY_ASSIGN_OR_RETURN(FileHandle file, FileHandle::Open(path, display_path));
  LogReader log(std::move(file), reporter);
  ManifestState state;
  std::string record;
  uint64_t offset = 0;
  while (log.ReadRecord(&record, &offset)) {
    Status applied = ApplyVersionEdit(record, &state);
    if (!applied.ok()) {
      Location where;
      where.file = display_path;
      where.offset = static_cast<int64_t>(offset);
      reporter(where, Status::Corruption(fmt::format(
                          "{}; the MANIFEST is read only up to here, so tables it adds later "
                          "are not read",
                          applied.message())));
      break;
    }
  }
  FERRY_RETURN_IF_ERROR(log.status());
  if (state.edits == 0) {
    return Status::Corruption(
        fmt::format("{}: no readable version edit (empty or damaged MANIFEST)", display_path));
  }
  return state;
}

}  // namespace ferry::chromium

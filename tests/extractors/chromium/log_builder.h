// Builds files in LevelDB's log format (and write batches) byte by byte, for the log reader
// tests: the same layout LevelDB's log::Writer produces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/crc32c.h"

namespace ferry::testing {

inline void PutFixed32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

inline void PutFixed64(std::string* out, uint64_t value) {
  PutFixed32(out, static_cast<uint32_t>(value));
  PutFixed32(out, static_cast<uint32_t>(value >> 32));
}

inline void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

inline void PutLengthPrefixed(std::string* out, const std::string& bytes) {
  PutVarint(out, bytes.size());
  *out += bytes;
}

// One fragment: masked CRC of (type + payload), length, type, payload.
inline std::string Fragment(uint8_t type, const std::string& payload) {
  std::string typed = std::string(1, static_cast<char>(type)) + payload;
  std::string out;
  PutFixed32(&out, chromium::MaskCrc(chromium::Crc32cExtend(0, typed)));
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>(payload.size() >> 8));
  out += typed;
  return out;
}

// A log file holding `records`, split into fragments across 32 KiB blocks like LevelDB's
// writer does. *offsets (if given) receives the offset of each record's first fragment.
inline std::string BuildLog(const std::vector<std::string>& records,
                            std::vector<uint64_t>* offsets = nullptr) {
  using chromium::kLogBlockSize;
  using chromium::kLogHeaderSize;
  std::string log;
  for (const std::string& record : records) {
    size_t done = 0;
    bool first = true;
    do {
      size_t left_in_block = kLogBlockSize - log.size() % kLogBlockSize;
      if (left_in_block < kLogHeaderSize) {
        log.append(left_in_block, '\0');
        left_in_block = kLogBlockSize;
      }
      if (first && offsets != nullptr) {
        offsets->push_back(log.size());
      }
      size_t room = left_in_block - kLogHeaderSize;
      size_t take = std::min(room, record.size() - done);
      bool last = done + take == record.size();
      uint8_t type = first && last ? chromium::kFullType
                     : first       ? chromium::kFirstType
                     : last        ? chromium::kLastType
                                   : chromium::kMiddleType;
      log += Fragment(type, record.substr(done, take));
      done += take;
      first = false;
    } while (done < record.size());
  }
  return log;
}

struct TestOperation {
  bool deletion = false;
  std::string key;
  std::string value;
};

// A write batch: sequence, count, then the operations.
inline std::string Batch(uint64_t sequence, const std::vector<TestOperation>& operations) {
  std::string out;
  PutFixed64(&out, sequence);
  PutFixed32(&out, static_cast<uint32_t>(operations.size()));
  for (const TestOperation& operation : operations) {
    out.push_back(operation.deletion ? chromium::kTypeDeletion : chromium::kTypeValue);
    PutLengthPrefixed(&out, operation.key);
    if (!operation.deletion) {
      PutLengthPrefixed(&out, operation.value);
    }
  }
  return out;
}

}  // namespace ferry::testing

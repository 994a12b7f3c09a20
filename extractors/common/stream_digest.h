// StreamDigest: a fast 64-bit digest of a byte stream, the same however the stream is cut into
// pieces, so that a file read a buffer at a time can be read again and compared (LineReader:
// an ndjson file written to in place while it was read). Not a cryptographic hash: it guards
// against a file changed by accident, as docs/security.md's model says (a store's owner writing
// to it while ferry runs is outside it). A change confined to one 8-byte word always changes
// the digest (each step is a bijection of the state for a given word).
//
// Thread safety: one StreamDigest per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ferry {

class StreamDigest {
 public:
  void Update(const char* data, size_t size) {
    bytes_ += size;
    while (size > 0 && pending_size_ > 0) {
      Take(data, 1);
      ++data;
      --size;
    }
    while (size >= 8) {
      uint64_t word;
      std::memcpy(&word, data, 8);
      Mix(word);
      data += 8;
      size -= 8;
    }
    while (size > 0) {
      Take(data, 1);
      ++data;
      --size;
    }
  }

  uint64_t Value() const {
    StreamDigest copy = *this;
    if (copy.pending_size_ > 0) copy.Mix(copy.pending_);
    copy.Mix(bytes_);
    return copy.state_;
  }

 private:
  void Take(const char* byte, size_t) {
    pending_ |= uint64_t{static_cast<unsigned char>(*byte)} << (8 * pending_size_);
    if (++pending_size_ == 8) {
      Mix(pending_);
      pending_ = 0;
      pending_size_ = 0;
    }
  }
  void Mix(uint64_t word) {
    state_ = (state_ ^ word) * 0x9E3779B97F4A7C15ULL;
    state_ = (state_ << 31) | (state_ >> 33);
  }

  uint64_t state_ = 0x243F6A8885A308D3ULL;
  uint64_t pending_ = 0;
  size_t pending_size_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace ferry

// Little-endian integers and length-prefixed strings in and out of byte strings: the
// building blocks of the archive layout (backup/backup_format.h).
//
// Thread safety: ByteWriter/ByteReader are values used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::backup {

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Le(v, 2); }
  void U32(uint32_t v) { Le(v, 4); }
  void U64(uint64_t v) { Le(v, 8); }
  void Bytes(std::string_view b) { out_.append(b); }
  void Bytes(const uint8_t* b, size_t n) { out_.append(reinterpret_cast<const char*>(b), n); }
  // u16 length then the bytes. REQUIRES: s.size() < 65536
  void Str16(std::string_view s) {
    U16(static_cast<uint16_t>(s.size()));
    Bytes(s);
  }
  std::string& str() { return out_; }

 private:
  void Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// Reads from a byte string; every read fails (returns false, and ok() turns false) past its
// end, so a parser checks ok() once at the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) { return Le(v, 1); }
  bool U16(uint16_t* v) { return Le(v, 2); }
  bool U32(uint32_t* v) { return Le(v, 4); }
  bool U64(uint64_t* v) { return Le(v, 8); }
  bool Bytes(size_t n, std::string_view* out) {
    if (!ok_ || in_.size() - at_ < n) return ok_ = false;
    *out = in_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool Bytes(size_t n, uint8_t* out) {
    std::string_view view;
    if (!Bytes(n, &view)) return false;
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(view[i]);
    return true;
  }
  bool Str16(std::string* out) {
    uint16_t n = 0;
    std::string_view view;
    if (!U16(&n) || !Bytes(n, &view)) return false;
    out->assign(view);
    return true;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && at_ == in_.size(); }
  size_t offset() const { return at_; }

 private:
  template <typename T>
  bool Le(T* v, int n) {
    std::string_view view;
    if (!Bytes(static_cast<size_t>(n), &view)) return false;
    uint64_t r = 0;
    for (int i = 0; i < n; ++i) r |= uint64_t{static_cast<uint8_t>(view[i])} << (8 * i);
    *v = static_cast<T>(r);
    return true;
  }
  std::string_view in_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace ferry::backup

#include "loaders/core/pre_image.h"

#include <cstring>

namespace ferry {

namespace {

constexpr uint8_t kVersion = 1;

enum CellTag : uint8_t { kNull = 0, kText = 1, kInteger = 2, kReal = 3, kBoolean = 4 };

void PutU8(uint8_t v, std::string* out) { out->push_back(static_cast<char>(v)); }

void PutU64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutU32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutStr(std::string_view s, std::string* out) {
  PutU32(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

void PutCells(const Row& row, std::string* out) {
  out->push_back(static_cast<char>(row.cells.size() & 0xff));
  out->push_back(static_cast<char>((row.cells.size() >> 8) & 0xff));
  for (const Cell& cell : row.cells) {
    if (const auto* text = std::get_if<std::string>(&cell)) {
      PutU8(kText, out);
      PutStr(*text, out);
    } else if (const auto* integer = std::get_if<int64_t>(&cell)) {
      PutU8(kInteger, out);
      PutU64(static_cast<uint64_t>(*integer), out);
    } else if (const auto* real = std::get_if<double>(&cell)) {
      uint64_t bits = 0;
      std::memcpy(&bits, real, sizeof bits);
      PutU8(kReal, out);
      PutU64(bits, out);
    } else if (const auto* boolean = std::get_if<bool>(&cell)) {
      PutU8(kBoolean, out);
      PutU8(*boolean ? 1 : 0, out);
    } else {
      PutU8(kNull, out);
    }
  }
}

// Reads the record front to back; the first short read fails the whole decode.
class RecordReader {
 public:
  explicit RecordReader(std::string_view bytes) : rest_(bytes) {}

  bool U8(uint8_t* v) {
    if (rest_.empty()) return Short();
    *v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  bool U64(uint64_t* v) {
    if (rest_.size() < 8) return Short();
    *v = 0;
    for (int i = 0; i < 8; ++i)
      *v |= static_cast<uint64_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(8);
    return true;
  }
  bool Str(std::string* s) {
    if (rest_.size() < 4) return Short();
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i)
      n |= static_cast<uint32_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(4);
    if (rest_.size() < n) return Short();
    s->assign(rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }
  bool Cells(Row* row) {
    if (rest_.size() < 2) return Short();
    size_t n =
        static_cast<uint8_t>(rest_[0]) | (static_cast<size_t>(static_cast<uint8_t>(rest_[1])) << 8);
    rest_.remove_prefix(2);
    row->cells.clear();
    for (size_t i = 0; i < n; ++i) {
      uint8_t tag = 0;
      if (!U8(&tag)) return false;
      uint64_t bits = 0;
      std::string text;
      uint8_t flag = 0;
      switch (tag) {
        case kNull:
          row->cells.emplace_back(std::monostate());
          break;
        case kText:
          if (!Str(&text)) return false;
          row->cells.emplace_back(std::move(text));
          break;
        case kInteger:
          if (!U64(&bits)) return false;
          row->cells.emplace_back(static_cast<int64_t>(bits));
          break;
        case kReal: {
          if (!U64(&bits)) return false;
          double real = 0;
          std::memcpy(&real, &bits, sizeof real);
          row->cells.emplace_back(real);
          break;
        }
        case kBoolean:
          if (!U8(&flag)) return false;
          row->cells.emplace_back(flag != 0);
          break;
        default:
          error_ = "unknown cell tag " + std::to_string(tag);
          return false;
      }
    }
    return true;
  }
  bool AtEnd() const { return rest_.empty(); }
  const std::string& error() const { return error_; }

 private:
  bool Short() {
    error_ = "cut short";
    return false;
  }
  std::string_view rest_;
  std::string error_;
};

}  // namespace

std::string PreImage::Address() const {
  std::string address;
  PutU8(static_cast<uint8_t>(kind), &address);
  switch (kind) {
    case Kind::kRow:
      PutStr(table, &address);
      PutCells(key, &address);
      break;
    case Kind::kIdentity:
      PutStr(user_id, &address);
      PutStr(entity, &address);
      PutStr(legacy_id, &address);
      break;
    case Kind::kCheckpoint:
      PutStr(user_id, &address);
      PutStr(entity, &address);
      PutStr(unit, &address);
      break;
  }
  return address;
}

std::string EncodePreImage(const PreImage& image) {
  std::string out;
  PutU8(kVersion, &out);
  out += image.Address();
  PutU8(image.present ? 1 : 0, &out);
  if (!image.present) return out;
  switch (image.kind) {
    case PreImage::Kind::kRow:
      PutCells(image.row, &out);
      break;
    case PreImage::Kind::kIdentity:
      PutStr(image.ulid, &out);
      PutStr(image.content_hash, &out);
      PutStr(image.run_id, &out);
      break;
    case PreImage::Kind::kCheckpoint:
      PutU64(static_cast<uint64_t>(image.position), &out);
      PutStr(image.run_id, &out);
      break;
  }
  return out;
}

Result<PreImage> DecodePreImage(std::string_view bytes) {
  RecordReader in(bytes);
  PreImage image;
  uint8_t version = 0, kind = 0, present = 0;
  bool ok = in.U8(&version) && in.U8(&kind);
  if (ok && version != kVersion) {
    return Status::Corruption("pre-image record of unknown version " + std::to_string(version));
  }
  image.kind = static_cast<PreImage::Kind>(kind);
  switch (image.kind) {
    case PreImage::Kind::kRow:
      ok = ok && in.Str(&image.table) && in.Cells(&image.key) && in.U8(&present);
      ok = ok && (present == 0 || in.Cells(&image.row));
      break;
    case PreImage::Kind::kIdentity:
      ok = ok && in.Str(&image.user_id) && in.Str(&image.entity) && in.Str(&image.legacy_id) &&
           in.U8(&present);
      ok = ok && (present == 0 ||
                  (in.Str(&image.ulid) && in.Str(&image.content_hash) && in.Str(&image.run_id)));
      break;
    case PreImage::Kind::kCheckpoint: {
      uint64_t position = 0;
      ok = ok && in.Str(&image.user_id) && in.Str(&image.entity) && in.Str(&image.unit) &&
           in.U8(&present);
      ok = ok && (present == 0 || (in.U64(&position) && in.Str(&image.run_id)));
      image.position = static_cast<int64_t>(position);
      break;
    }
    default:
      if (ok) return Status::Corruption("pre-image record of unknown kind " + std::to_string(kind));
  }
  if (!ok) return Status::Corruption("pre-image record: " + in.error());
  if (!in.AtEnd()) return Status::Corruption("pre-image record: bytes after its end");
  image.present = present != 0;
  return image;
}

}  // namespace ferry

#include "extractors/common/text_position.h"

#include <cstdint>
#include <cstring>

namespace ferry {

void TextPosition::Locate(int64_t offset, Location* where) {
  size_t target = offset < 0 ? 0 : static_cast<size_t>(offset);
  if (target > text_.size()) {
    target = text_.size();
  }
  if (target < offset_) {
    offset_ = 0;
    line_ = 1;
    column_ = 1;
  }
  constexpr size_t kStep = size_t{8} << 20;
  while (offset_ < target) {
    size_t stop = target - offset_ > kStep ? offset_ + kStep : target;
    // Eight bytes at a time while they hold no newline: the column moves by the bytes that
    // are not UTF-8 continuation bytes (10xxxxxx). A dump is often one line of megabytes.
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    while (offset_ < stop) {
      if (stop - offset_ >= 8) {
        uint64_t word;
        std::memcpy(&word, text_.data() + offset_, sizeof word);
        uint64_t newline = word ^ (kOnes * '\n');
        if (((newline - kOnes) & ~newline & kHigh) == 0) {
          uint64_t continuation = word & ~(word << 1) & kHigh;  // bit 7 set, bit 6 clear
          column_ += 8 - static_cast<int64_t>(((continuation >> 7) * kOnes) >> 56);
          offset_ += 8;
          continue;
        }
      }
      unsigned char byte = static_cast<unsigned char>(text_[offset_++]);
      if (byte == '\n') {
        ++line_;
        column_ = 1;
      } else if ((byte & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
        ++column_;
      }
    }
    if (passed_) passed_(offset_);
  }
  where->offset = static_cast<int64_t>(target);
  where->line = line_;
  where->column = column_;
}

}  // namespace ferry

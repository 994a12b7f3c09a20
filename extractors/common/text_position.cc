#include "extractors/common/text_position.h"

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
    for (; offset_ < stop; ++offset_) {
      unsigned char byte = static_cast<unsigned char>(text_[offset_]);
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

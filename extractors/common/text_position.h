// TextPosition: the line and column of byte offsets in one text, for error messages and
// for the Location of each entry.
//
// Thread safety: one object per thread; it remembers the last offset it was asked about.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "base/location.h"

namespace ferry {

class TextPosition {
 public:
  // `text` must outlive this object. `passed`, when set, is told every 8 MiB how far a long
  // step has counted (a reader of a mapped file lets the pages behind go: mapped_file.h).
  explicit TextPosition(std::string_view text, std::function<void(size_t)> passed = {})
      : text_(text), passed_(std::move(passed)) {}

  // Sets where->offset, ->line and ->column (both 1-based; a column counts UTF-8 code points)
  // for the byte `offset`, clamped to the text. Increasing offsets cost only the bytes between
  // them, so locating every entry of a file is linear in its size.
  void Locate(int64_t offset, Location* where);

 private:
  std::string_view text_;
  std::function<void(size_t)> passed_;
  size_t offset_ = 0;  // the position described by line_ and column_
  int64_t line_ = 1;
  int64_t column_ = 1;
};

}  // namespace ferry

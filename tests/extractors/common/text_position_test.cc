#include "extractors/common/text_position.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::text_position_test {
namespace {

// Line and column of `offset`, one byte at a time, as Locate (which goes eight at a time)
// must agree with.
std::pair<int64_t, int64_t> Reference(const std::string& text, size_t offset) {
  int64_t line = 1;
  int64_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

TEST_CASE("TextPosition: lines and UTF-8 columns at every offset, in order and going back",
          "[extractors][text_position]") {
  // Newlines and multi-byte characters (é, 中, 😀) at every place of an 8-byte word, and long
  // runs of plain text between them.
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += std::string(static_cast<size_t>(i % 11), 'a');
    text += i % 3 == 0 ? "\n" : i % 3 == 1 ? "\xC3\xA9" : "\xE4\xB8\xAD\xF0\x9F\x98\x80";
    if (i % 7 == 0) text += std::string(100, 'b') + "\n\n";
  }
  TextPosition position(text);
  Location where;
  for (size_t offset = 0; offset <= text.size() + 2; ++offset) {
    position.Locate(static_cast<int64_t>(offset), &where);
    auto [line, column] = Reference(text, offset);
    INFO("offset " << offset);
    REQUIRE(where.line == line);
    REQUIRE(where.column == column);
  }
  // Backwards and jumps: each starts over or goes on from the last.
  for (size_t offset : {size_t{5}, text.size() / 2, size_t{3}, text.size() - 1, size_t{0}}) {
    position.Locate(static_cast<int64_t>(offset), &where);
    auto [line, column] = Reference(text, offset);
    CHECK(where.line == line);
    CHECK(where.column == column);
  }
}

}  // namespace
}  // namespace ferry::text_position_test

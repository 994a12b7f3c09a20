#include "extractors/common/json_exact.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/common/utf16.h"

namespace ferry::json_exact_test {
namespace {

std::string Exact(const std::string& json) {
  Result<std::string> body = ExactJsonBody(json, 0);
  REQUIRE(body.ok());
  return *body;
}

Status ExactFails(const std::string& json) {
  Result<std::string> body = ExactJsonBody(json, 0);
  REQUIRE_FALSE(body.ok());
  return body.status();
}

TEST_CASE("JsonBody: quotes, backslashes and controls escaped, the rest as UTF-8",
          "[extractors][json_exact]") {
  CHECK(JsonBody("") == "");
  CHECK(JsonBody("plain text") == "plain text");
  CHECK(JsonBody("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(JsonBody("\b\f\n\r\t") == "\\b\\f\\n\\r\\t");
  CHECK(JsonBody(std::string("\x00\x01\x1f", 3)) == "\\u0000\\u0001\\u001f");
  CHECK(JsonBody("/\x7f") == "/\x7f");                                        // neither is escaped
  CHECK(JsonBody("\xC3\xA9\xF0\x9F\x98\x80") == "\xC3\xA9\xF0\x9F\x98\x80");  // é 😀
  CHECK(JsonBody("\xE2\x80\xA8") == "\xE2\x80\xA8");  // U+2028 kept as UTF-8
}

TEST_CASE("JsonBody: agrees with Utf16ToJsonEscapedUtf8 on well-formed text",
          "[extractors][json_exact]") {
  std::u16string units = u"x\"\\\n\u0001\u00e9\u4e2d\U0001F600\u2028 end";
  std::string utf8 = "x\"\\\n\x01\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\xE2\x80\xA8 end";
  CHECK(JsonBody(utf8) == Utf16ToJsonEscapedUtf8(units));
}

// The escaper, one byte at a time, as the word-at-a-time AppendJsonBody must agree with.
std::string ReferenceBody(const std::string& text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  return out;
}

TEST_CASE("JsonBody: every byte at every place of a word, and across the buffer's flushes",
          "[extractors][json_exact]") {
  // Each byte value alone at each offset 0..16 of plain text (the scan reads 8 bytes at a
  // time), and next to the bytes its word test could confuse it with.
  for (int value = 0; value < 256; ++value) {
    for (size_t at = 0; at <= 40; ++at) {  // in and across 16-byte blocks, and in the tail
      std::string text(48, 'a');
      text[at] = static_cast<char>(value);
      INFO("byte " << value << " at " << at);
      REQUIRE(JsonBody(text) == ReferenceBody(text));
      text[at + 1] = '!';  // '"' - 1
      text[at + 2] = ']';  // '\\' + 1
      text[at + 3] = ' ';  // the smallest byte not escaped
      REQUIRE(JsonBody(text) == ReferenceBody(text));
    }
  }
  // A long text of JSON in a string (an escape every few bytes) and long plain runs, past the
  // escaper's buffer many times, appended after what *out held.
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "{\"id\":" + std::to_string(i) + ",\"t\":\"a\\tb\x01\"}";
    if (i % 97 == 0) text += std::string(5000 + i, 'x');
  }
  std::string out = "before";
  AppendJsonBody(text, &out);
  CHECK(out == "before" + ReferenceBody(text));
}

TEST_CASE("JsonBody: several escapes in one 16-byte block, and blocks of nothing else",
          "[extractors][json_exact]") {
  // Every pattern of '"' in a 16-byte block, at offsets 0..3 (the escaper takes each escape
  // of a block in turn), and blocks wholly of escapes of each length (\", \n, \u0001).
  for (uint32_t pattern = 0; pattern < (1u << 16); pattern += 37) {
    for (size_t at = 0; at <= 3; ++at) {
      std::string text(40, 'b');
      for (int bit = 0; bit < 16; ++bit) {
        if ((pattern >> bit & 1) != 0) text[at + bit] = '"';
      }
      INFO("pattern " << pattern << " at " << at);
      REQUIRE(JsonBody(text) == ReferenceBody(text));
    }
  }
  for (char c : {'"', '\\', '\n', '\x01'}) {
    for (size_t size : {15, 16, 17, 32, 1000, 5000}) {
      std::string text(size, c);
      INFO("byte " << static_cast<int>(c) << " x " << size);
      REQUIRE(JsonBody(text) == ReferenceBody(text));
    }
  }
}

TEST_CASE("ExactJsonBody: unpaired surrogates stay escapes, pairs and the rest canonical",
          "[extractors][json_exact]") {
  CHECK(Exact(R"("\ud800x")") == "\\ud800x");
  CHECK(Exact(R"("\uD800x")") == "\\ud800x");  // lowercase hex, as expected/*.json
  CHECK(Exact(R"("x\udc00")") == "x\\udc00");
  CHECK(Exact(R"("abc\ud83d")") == "abc\\ud83d");           // a high one at the end
  CHECK(Exact(R"("\udc00\ud800")") == "\\udc00\\ud800");    // the wrong order is no pair
  CHECK(Exact(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80");  // a pair is one character
  CHECK(Exact(R"("\u0041\/\u00e9")") == "A/\xC3\xA9");
  CHECK(Exact(R"("\n\u0000\"")") == "\\n\\u0000\\\"");
  CHECK(Exact("\"\xC3\xA9\"") == "\xC3\xA9");
  CHECK(Exact(R"("")") == "");
  // A quote elsewhere in the text: only the string at `quote` is read.
  Result<std::string> inner = ExactJsonBody(R"({"k": "\ud800"})", 6);
  REQUIRE(inner.ok());
  CHECK(*inner == "\\ud800");
}

TEST_CASE("ExactJsonBody: hostile strings fail Corruption, never read past the end",
          "[extractors][json_exact]") {
  CHECK(ExactFails(R"("abc)").IsCorruption());               // no closing quote
  CHECK(ExactFails(R"("abc\)").IsCorruption());              // a backslash at the end
  CHECK(ExactFails(R"("\u12")").IsCorruption());             // short \u
  CHECK(ExactFails(R"("\u12g4")").IsCorruption());           // not hex
  CHECK(ExactFails(R"("\x41")").IsCorruption());             // no such escape
  CHECK(ExactFails("\"a\nb\"").IsCorruption());              // a raw control
  CHECK(ExactFails("\"\xC3\"").IsCorruption());              // a cut UTF-8 sequence
  CHECK(ExactFails("\"\xC0\xAF\"").IsCorruption());          // overlong '/'
  CHECK(ExactFails("\"\xED\xA0\x80\"").IsCorruption());      // an encoded surrogate
  CHECK(ExactFails("\"\xF4\x90\x80\x80\"").IsCorruption());  // above U+10FFFF
  CHECK(ExactFails("\"\xFF\"").IsCorruption());
  CHECK(ExactFails("x").IsCorruption());          // not a string
  CHECK_FALSE(ExactJsonBody("\"ok\"", 10).ok());  // quote past the end
  CHECK_THAT(ExactFails(R"("\q")").message(), Catch::Contains("\\q"));
}

}  // namespace
}  // namespace ferry::json_exact_test

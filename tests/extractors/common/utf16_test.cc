#include "extractors/common/utf16.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::utf16_test {
namespace {

std::string Decode(const std::string& bytes, Utf16Damage* damage = nullptr) {
  std::string out;
  Utf16Damage found = AppendUtf16LeAsUtf8(bytes, &out);
  if (damage != nullptr) {
    *damage = found;
  }
  return out;
}

TEST_CASE("AppendUtf16LeAsUtf8: ASCII, BMP and surrogate pairs decode exactly",
          "[extractors][utf16]") {
  Utf16Damage damage;
  CHECK(Decode(std::string("h\0i\0", 4), &damage) == "hi");
  CHECK_FALSE(damage.any());
  CHECK(Decode(std::string("\xe9\0\x2d\x4e", 4), &damage) == "\xC3\xA9\xE4\xB8\xAD");  // é中
  CHECK_FALSE(damage.any());
  CHECK(Decode(std::string("\x3d\xd8\x11\xdd", 4), &damage) == "\xF0\x9F\x94\x91");  // 🔑
  CHECK_FALSE(damage.any());
  CHECK(Decode(std::string("\0\0", 2), &damage) == std::string("\0", 1));
  CHECK(Decode("", &damage).empty());
  CHECK_FALSE(damage.any());
}

TEST_CASE("AppendUtf16LeAsUtf8: unpaired surrogates become U+FFFD and are counted",
          "[extractors][utf16][corrupt]") {
  Utf16Damage damage;
  CHECK(Decode(std::string("\x00\xd8x\0", 4), &damage) == "\xEF\xBF\xBDx");
  CHECK(damage.lone_surrogates == 1);
  CHECK(damage.first_lone_index == 0);
  CHECK(damage.first_lone_unit == 0xD800);
  CHECK(damage.Describe() == "unpaired surrogate U+D800 at code unit 0");

  // A reversed pair is two unpaired surrogates; a high before a pair leaves the pair whole.
  CHECK(Decode(std::string("a\0\x00\xdc\x00\xd8", 6), &damage) == "a\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(damage.lone_surrogates == 2);
  CHECK(damage.first_lone_index == 1);
  CHECK(damage.first_lone_unit == 0xDC00);
  CHECK(damage.Describe() == "unpaired surrogate U+DC00 at code unit 1 (2 in all)");
  CHECK(Decode(std::string("\x3d\xd8\x3d\xd8\x11\xdd", 6), &damage) ==
        "\xEF\xBF\xBD\xF0\x9F\x94\x91");
  CHECK(damage.lone_surrogates == 1);
  // A high surrogate at the very end.
  CHECK(Decode(std::string("a\0\x3d\xd8", 4), &damage) == "a\xEF\xBF\xBD");
  CHECK(damage.first_lone_index == 1);
}

TEST_CASE("AppendUtf16LeAsUtf8: an odd byte count ends in U+FFFD and is said",
          "[extractors][utf16][corrupt]") {
  Utf16Damage damage;
  CHECK(Decode(std::string("a\0b", 3), &damage) == "a\xEF\xBF\xBD");
  CHECK(damage.odd_byte);
  CHECK(damage.lone_surrogates == 0);
  CHECK(damage.Describe() == "odd byte count (a dangling byte at the end)");
  CHECK(Decode("x", &damage) == "\xEF\xBF\xBD");
  CHECK(Decode(std::string("\x00\xd8z", 3), &damage) == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(damage.Describe() ==
        "unpaired surrogate U+D800 at code unit 0; odd byte count (a dangling byte at the end)");
}

TEST_CASE("AppendUtf16LeAsUtf8 and AppendLatin1AsUtf8 append after what is there",
          "[extractors][utf16]") {
  std::string out = "prefix:";
  AppendUtf16LeAsUtf8(std::string("a\0", 2), &out);
  AppendLatin1AsUtf8("\xff", &out);
  CHECK(out == "prefix:a\xC3\xBF");
}

TEST_CASE("AppendLatin1AsUtf8: every byte is its own code point, never UTF-8",
          "[extractors][utf16]") {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) {
    all += static_cast<char>(byte);
  }
  std::string out;
  AppendLatin1AsUtf8(all, &out);
  REQUIRE(out.size() == 128 + 2 * 128);
  CHECK(out.substr(0, 128) == all.substr(0, 128));
  CHECK(out.substr(128, 2) == "\xC2\x80");
  CHECK(out.substr(out.size() - 2) == "\xC3\xBF");
  out.clear();
  AppendLatin1AsUtf8("\xC3\xA9", &out);  // UTF-8 bytes read as Latin-1: two characters
  CHECK(out == "\xC3\x83\xC2\xA9");
}

TEST_CASE("AppendLatin1AsUtf8: the length counted a word at a time, any mix in a word",
          "[extractors][utf16]") {
  // Every pattern of wide bytes (0x80 and up) in one 8-byte word, at offsets 0..8 of the text:
  // the UTF-8 length is the byte count plus one per wide byte.
  for (int pattern = 0; pattern < 256; ++pattern) {
    for (size_t at = 0; at <= 8; ++at) {
      std::string text(24, 'a');
      std::string expected(at, 'a');
      for (int bit = 0; bit < 8; ++bit) {
        bool wide = (pattern >> bit & 1) != 0;
        text[at + bit] = wide ? static_cast<char>(0xE9) : 'b';
        expected += wide ? "\xC3\xA9" : "b";
      }
      expected += std::string(24 - at - 8, 'a');
      std::string out;
      AppendLatin1AsUtf8(text, &out);
      INFO("pattern " << pattern << " at " << at);
      REQUIRE(out == expected);
    }
  }
}

// The decoder a code unit at a time, as the eight-at-a-time AppendUtf16LeAsUtf8 must agree
// with: the UTF-8 and the damage.
std::string ReferenceDecode(const std::u16string& units, Utf16Damage* damage) {
  *damage = Utf16Damage();
  std::string out;
  auto put = [&out](char32_t c) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  };
  for (size_t i = 0; i < units.size(); ++i) {
    char32_t unit = units[i];
    bool high = unit >= 0xD800 && unit <= 0xDBFF;
    if (high && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] <= 0xDFFF) {
      put(0x10000 + ((unit - 0xD800) << 10) + (units[i + 1] - 0xDC00));
      ++i;
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      if (damage->lone_surrogates++ == 0) {
        damage->first_lone_index = static_cast<int64_t>(i);
        damage->first_lone_unit = static_cast<uint16_t>(unit);
      }
      put(0xFFFD);
    } else {
      put(unit);
    }
  }
  return out;
}

std::string Utf16LeBytes(const std::u16string& units) {
  std::string bytes;
  for (char16_t unit : units) {
    bytes += static_cast<char>(unit & 0xFF);
    bytes += static_cast<char>(unit >> 8);
  }
  return bytes;
}

TEST_CASE("AppendUtf16LeAsUtf8: each kind of code unit at each place of an 8-unit block",
          "[extractors][utf16]") {
  // Units of one, two and three UTF-8 bytes at their edges (those next to the surrogates too),
  // lone surrogates, and a pair, each at offsets 0..24 of ASCII, of CJK and of two-byte text
  // (blocks of 8 units are counted at once, and written at once when all ASCII or all of three
  // bytes; a pair can straddle two blocks). The empty value and a text cut to an
  // odd byte count as well.
  const std::u16string kinds[] = {
      u"A",
      u"\u007f",
      u"\u0080",
      u"\u00e9",
      u"\u07ff",
      u"\u0800",
      u"\u4e2d",
      u"\ud7ff",
      u"\ue000",
      u"\uffff",
      std::u16string(1, 0xD800),
      std::u16string(1, 0xDFFF),
      u"\U0001F511",
      std::u16string{0xD83D, 0xD83D, 0xDD11}};  // a lone high surrogate, then a pair
  const char16_t fillers[] = {u'a', u'\u4e2d', u'\u00e9'};
  Utf16Damage damage;
  Utf16Damage expected_damage;
  CHECK(Decode("", &damage).empty());
  CHECK_FALSE(damage.any());
  for (char16_t filler : fillers) {
    for (const std::u16string& kind : kinds) {
      for (size_t at = 0; at <= 24; ++at) {
        std::u16string units(32, filler);
        units.replace(at, kind.size(), kind);
        INFO("filler " << static_cast<int>(filler) << ", kind " << static_cast<int>(kind[0])
                       << " at " << at);
        std::string bytes = Utf16LeBytes(units);
        REQUIRE(Decode(bytes, &damage) == ReferenceDecode(units, &expected_damage));
        CHECK(damage.lone_surrogates == expected_damage.lone_surrogates);
        CHECK(damage.first_lone_index == expected_damage.first_lone_index);
        CHECK(damage.first_lone_unit == expected_damage.first_lone_unit);
        CHECK_FALSE(damage.odd_byte);
        // Cut after the kind, to an odd byte count: U+FFFD for the dangling byte.
        std::string cut = bytes.substr(0, 2 * (at + kind.size()) + 1);
        std::string expected =
            ReferenceDecode(units.substr(0, at + kind.size()), &expected_damage) + "\xEF\xBF\xBD";
        REQUIRE(Decode(cut, &damage) == expected);
        CHECK(damage.odd_byte);
      }
    }
  }
}

TEST_CASE("AppendLatin1AsUtf8: a wide byte anywhere in long ASCII, and ASCII alone",
          "[extractors][utf16]") {
  // An all-ASCII value is copied as it is, found 64 bytes at a time: one byte from 0x80 at
  // each offset of a 200-byte text (in, between and after the 64-byte blocks) changes that.
  for (size_t at = 0; at < 200; ++at) {
    for (char wide : {'\x80', '\xe9', '\xff'}) {
      std::string text(200, 'x');
      text[at] = wide;
      std::string out = "before";
      AppendLatin1AsUtf8(text, &out);
      auto byte = static_cast<unsigned char>(wide);
      std::string expected = "before" + std::string(at, 'x');
      expected += static_cast<char>(0xC0 | (byte >> 6));
      expected += static_cast<char>(0x80 | (byte & 0x3F));
      expected += std::string(199 - at, 'x');
      INFO("byte " << static_cast<int>(byte) << " at " << at);
      REQUIRE(out == expected);
    }
  }
  for (size_t size : {0, 1, 63, 64, 65, 128, 200}) {
    std::string text(size, '\x7f');
    std::string out;
    AppendLatin1AsUtf8(text, &out);
    CHECK(out == text);
  }
}

TEST_CASE("Utf16LeUnits: code units in order, a dangling byte left out", "[extractors][utf16]") {
  CHECK(Utf16LeUnits(std::string("\x00\xd8x\0", 4)) == std::u16string(u"\xd800x"));
  CHECK(Utf16LeUnits(std::string("a\0b", 3)) == u"a");
  CHECK(Utf16LeUnits("").empty());
}

TEST_CASE("Utf16ToJsonEscapedUtf8: escapes what JSON needs and keeps unpaired surrogates",
          "[extractors][utf16]") {
  CHECK(Utf16ToJsonEscapedUtf8(u"plain") == "plain");
  CHECK(Utf16ToJsonEscapedUtf8(u"q\"b\\s/") == "q\\\"b\\\\s/");
  CHECK(Utf16ToJsonEscapedUtf8(u"\b\f\n\r\t") == "\\b\\f\\n\\r\\t");
  CHECK(Utf16ToJsonEscapedUtf8(std::u16string(u"a\0b\x1f", 4)) == "a\\u0000b\\u001f");
  CHECK(Utf16ToJsonEscapedUtf8(u"\xd800x") == "\\ud800x");
  CHECK(Utf16ToJsonEscapedUtf8(u"x\xdc00") == "x\\udc00");
  CHECK(Utf16ToJsonEscapedUtf8(u"\xdc00\xd800") == "\\udc00\\ud800");
  CHECK(Utf16ToJsonEscapedUtf8(u"\xd83d\xdd11") == "\xF0\x9F\x94\x91");
  CHECK(Utf16ToJsonEscapedUtf8(u"\u00e9\u4e2d\x7f") == "\xC3\xA9\xE4\xB8\xAD\x7f");
  CHECK(Utf16ToJsonEscapedUtf8(u"").empty());
}

}  // namespace
}  // namespace ferry::utf16_test

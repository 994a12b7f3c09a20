#include "extractors/chromium/key_codec.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::chromium::key_codec_test {
namespace {

TEST_CASE("ParseStoreKey: VERSION, META: and METAACCESS: are recognised, not data",
          "[extractors][chromium][codec]") {
  CHECK(ParseStoreKey("VERSION").kind == StoreKeyKind::kVersion);
  StoreKey meta = ParseStoreKey("META:http://127.0.0.1:8000");
  CHECK(meta.kind == StoreKeyKind::kMeta);
  CHECK(meta.origin == "http://127.0.0.1:8000");
  StoreKey access = ParseStoreKey("METAACCESS:http://localhost:8002");
  CHECK(access.kind == StoreKeyKind::kMetaAccess);
  CHECK(access.origin == "http://localhost:8002");
}

TEST_CASE("ParseStoreKey: a data key splits at the first NUL after the origin",
          "[extractors][chromium][codec]") {
  std::string bytes("_http://127.0.0.1:8000\0\x01key\0with-nul", 36);
  StoreKey key = ParseStoreKey(bytes);
  REQUIRE(key.kind == StoreKeyKind::kData);
  CHECK(key.origin == "http://127.0.0.1:8000");
  CHECK(key.encoded_key == std::string("\x01key\0with-nul", 13));
  std::string empty_key_bytes("_http://a\0\x01", 11);
  StoreKey empty_key = ParseStoreKey(empty_key_bytes);
  REQUIRE(empty_key.kind == StoreKeyKind::kData);
  CHECK(empty_key.encoded_key == "\x01");
  std::string no_encoding_bytes("_http://a\0", 10);
  StoreKey no_encoding = ParseStoreKey(no_encoding_bytes);
  REQUIRE(no_encoding.kind == StoreKeyKind::kData);
  CHECK(no_encoding.encoded_key.empty());
}

TEST_CASE("ParseStoreKey: keys that are none of the known kinds are told apart",
          "[extractors][chromium][codec][corrupt]") {
  CHECK(ParseStoreKey("_http://no-terminator").kind == StoreKeyKind::kMalformed);
  CHECK(ParseStoreKey("_").kind == StoreKeyKind::kMalformed);
  CHECK(ParseStoreKey(std::string("_\0\x01key", 6)).kind == StoreKeyKind::kMalformed);
  CHECK(ParseStoreKey("").kind == StoreKeyKind::kUnknown);
  CHECK(ParseStoreKey("VERSION2").kind == StoreKeyKind::kUnknown);
  CHECK(ParseStoreKey("version").kind == StoreKeyKind::kUnknown);
  CHECK(ParseStoreKey("META").kind == StoreKeyKind::kUnknown);
  CHECK(ParseStoreKey("\xff\xfe").kind == StoreKeyKind::kUnknown);
}

TEST_CASE("PrintableBytes: control and high bytes as \\xNN, long input cut",
          "[extractors][chromium][codec]") {
  CHECK(PrintableBytes(std::string("a\0b\\\xff", 5)) == "a\\x00b\\x5c\\xff");
  CHECK(PrintableBytes(std::string(100, 'k'), 4) == "kkkk...");
  CHECK(PrintableBytes("") == "");
}

}  // namespace
}  // namespace ferry::chromium::key_codec_test

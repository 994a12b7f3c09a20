// A dump's unit as bytes (Extractor::CurrentUnitBytes, issue 19): the digest covers every byte
// of the file, so that a rerun may skip a unit by it; with the values deferred, the entries
// keep their keys, origins and places and read no value.
#include <catch2/catch.hpp>
#include <string>

#include "extractors/dump/dump_extractor.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::dump_unit_bytes_test {
namespace {

using testing::TempDir;

struct Read {
  std::vector<Entry> entries;
  std::vector<Extractor::UnitBytes> bytes;  // one per entry
};

Read ReadDump(const std::string& path, bool defer) {
  std::unique_ptr<Extractor> extractor = MakeDumpExtractor(SourceSpec{"dump", path, {}});
  extractor->SetDeferValues([defer] { return defer; });
  extractor->SetReporter([](const Location&, const Status&) {});
  REQUIRE(extractor->Open().ok());
  Read read;
  for (; extractor->Valid(); extractor->Next()) {
    read.entries.push_back(extractor->entry());
    std::optional<Extractor::UnitBytes> bytes = extractor->CurrentUnitBytes();
    REQUIRE(bytes);
    read.bytes.push_back(*bytes);
  }
  REQUIRE(extractor->status().ok());
  return read;
}

const char kDump[] = R"({"tasks":"[{\"id\":1,\"title\":\"Write\"}]","theme":"dark","n":"1"})";

}  // namespace

TEST_CASE("DumpExtractor: a unit's bytes digest changes with any byte of the file",
          "[extractors][dump][rerun]") {
  TempDir dir;
  const std::string text = kDump;
  const std::string path = dir.Write("user-1.json", text);
  Read whole = ReadDump(path, false);
  REQUIRE(whole.entries.size() == 3);
  const uint64_t digest = whole.bytes[0].digest;
  for (const Extractor::UnitBytes& bytes : whole.bytes) {
    CHECK(bytes.digest == digest);  // the same for every entry of the unit
    CHECK_FALSE(bytes.values_deferred);
  }
  CHECK(ReadDump(path, true).bytes[0].digest == digest);
  // Every byte changed in turn, to another that keeps the file a dump where it can (a letter
  // for a letter, a digit for a digit, a space added): each gives another digest.
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    char& c = changed[i];
    if (c >= 'a' && c < 'z') {
      c = static_cast<char>(c + 1);
    } else if (c >= '0' && c < '9') {
      c = static_cast<char>(c + 1);
    } else {
      continue;  // a quote, brace or escape: the file would not be a dump
    }
    INFO("byte " << i << ": " << changed);
    Read read = ReadDump(dir.Write("user-1.json", changed), false);
    REQUIRE_FALSE(read.bytes.empty());
    CHECK(read.bytes[0].digest != digest);
  }
  // Whitespace that changes no entry changes the bytes: such a unit is read again, not skipped.
  Read spaced = ReadDump(dir.Write("user-1.json", text + " "), false);
  CHECK(spaced.bytes[0].digest != digest);
}

TEST_CASE("DumpExtractor: with values deferred, entries keep keys and places, no value",
          "[extractors][dump][rerun]") {
  TempDir dir;
  const std::string path = dir.Write("user-1.json", kDump);
  Read whole = ReadDump(path, false);
  Read keys = ReadDump(path, true);
  REQUIRE(keys.entries.size() == whole.entries.size());
  for (size_t i = 0; i < keys.entries.size(); ++i) {
    const Entry& a = keys.entries[i];
    const Entry& b = whole.entries[i];
    CHECK(a.unit == b.unit);
    CHECK(a.user_hint == b.user_hint);
    CHECK(a.origin == b.origin);
    CHECK(a.key == b.key);
    CHECK(a.where.file == b.where.file);
    CHECK(a.where.offset == b.where.offset);
    CHECK(a.value.empty());
    CHECK_FALSE(b.value.empty());
    CHECK(keys.bytes[i].values_deferred);
  }
}

}  // namespace ferry::dump_unit_bytes_test

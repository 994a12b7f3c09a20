#include "loaders/core/first_pre_images.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

namespace ferry::first_pre_images_test {
namespace {

PreImage Identity(const std::string& user, const std::string& legacy_id, bool present,
                  const std::string& ulid = "") {
  PreImage image;
  image.kind = PreImage::Kind::kIdentity;
  image.user_id = user;
  image.entity = "tasks";
  image.legacy_id = legacy_id;
  image.present = present;
  image.ulid = ulid;
  return image;
}

PreImage Row(const std::string& key, bool present, const std::string& title = "") {
  PreImage image;
  image.kind = PreImage::Kind::kRow;
  image.table = "tasks";
  image.key.cells.push_back(Cell(key));
  image.present = present;
  if (present) image.row.cells = {Cell(key), Cell(title)};
  return image;
}

// Address -> the image ForEach gave, failing on a second one of the same address.
std::map<std::string, PreImage> Collect(PreImageStream& stream) {
  std::map<std::string, PreImage> seen;
  Status status = stream.ForEach([&](const PreImage& image) {
    if (!seen.emplace(image.Address(), image).second) {
      return Status::Internal("twice: " + image.Address());
    }
    return Status::OK();
  });
  REQUIRE(status.ok());
  return seen;
}

TEST_CASE("FirstPreImages: the first record of each address wins, a fallback only where none",
          "[loaders][core][rollback]") {
  std::unique_ptr<FirstPreImages> stream =
      PreImagesInMemory({Row("A", true, "before"), Identity("u", "1", false),
                         Row("A", true, "during"), Identity("u", "1", true, "X"), Row("B", false)});
  for (const PreImage& image :
       {Row("B", true, "fallback"), Row("C", false), Identity("u", "2", false)}) {
    REQUIRE(stream->AddFallback(image).ok());
  }
  std::map<std::string, PreImage> seen = Collect(*stream);
  REQUIRE(seen.size() == 5);
  CHECK(seen[Row("A", false).Address()].row.cells[1] == Cell(std::string("before")));
  CHECK_FALSE(seen[Identity("u", "1", false).Address()].present);
  CHECK_FALSE(seen[Row("B", false).Address()].present);  // the run's record, not the fallback
  CHECK(seen.count(Row("C", false).Address()) == 1);
  CHECK(seen.count(Identity("u", "2", false).Address()) == 1);
  // Read again (the rollback's next pass): the same.
  CHECK(Collect(*stream).size() == 5);
  stream->ClearFallback();
  CHECK(Collect(*stream).size() == 3);
}

TEST_CASE("FirstPreImages: a fallback past a MiB goes to its file and comes back whole, each pass",
          "[loaders][core][rollback]") {
  // A killed run's fallback is an image per id-map row: millions. 40,000 rows and identities
  // (about 4 MiB sealed) pass the spool's 1 MiB in memory.
  const int rows = 40000;
  std::unique_ptr<FirstPreImages> stream =
      PreImagesInMemory({Row("k7", true, "recorded"), Identity("u", "7", true, "ULID7")});
  for (int i = 0; i < rows; ++i) {
    REQUIRE(stream->AddFallback(Row("k" + std::to_string(i), false)).ok());
    REQUIRE(stream->AddFallback(Identity("u", std::to_string(i), false)).ok());
  }
  CHECK(stream->fallback_file_bytes() > 0);
  for (int pass = 0; pass < 2; ++pass) {
    std::map<std::string, PreImage> seen = Collect(*stream);
    REQUIRE(seen.size() == 2 * rows);
    CHECK(seen[Row("k7", false).Address()].present);  // the run's record wins
    CHECK(seen[Identity("u", "7", false).Address()].ulid == "ULID7");
    CHECK_FALSE(seen[Row("k39999", false).Address()].present);
    CHECK(seen.count(Identity("u", "0", false).Address()) == 1);
  }
  stream->ClearFallback();
  CHECK(stream->fallback_file_bytes() == 0);
  CHECK(Collect(*stream).size() == 2);
}

TEST_CASE("FirstPreImages: past its memory budget it spills and still keeps the first of each",
          "[loaders][core][rollback]") {
  const int rows = 20000;
  auto source = [](const FirstPreImages::RecordSink& sink) -> Status {
    for (int pass = 0; pass < 2; ++pass) {  // every row twice: first "before", then "after"
      for (int i = 0; i < rows; ++i) {
        FERRY_RETURN_IF_ERROR(sink(
            EncodePreImage(Row("k" + std::to_string(i), true, pass == 0 ? "before" : "after"))));
      }
    }
    return Status::OK();
  };
  FirstPreImages stream(source, /*memory_budget=*/64 << 10);
  int count = 0;
  REQUIRE(stream
              .ForEach([&](const PreImage& image) {
                ++count;
                return image.row.cells[1] == Cell(std::string("before"))
                           ? Status::OK()
                           : Status::Internal("a later record won: " + image.Address());
              })
              .ok());
  CHECK(count == rows);
  CHECK(stream.spilled_runs() > 1);
}

TEST_CASE("FirstPreImages: a record that does not decode, or a failing visit, stops the pass",
          "[loaders][core][rollback]") {
  FirstPreImages broken([](const FirstPreImages::RecordSink& sink) { return sink("\x01\x09"); });
  CHECK(broken.ForEach([](const PreImage&) { return Status::OK(); }).IsCorruption());
  std::unique_ptr<FirstPreImages> stream = PreImagesInMemory({Row("A", false), Row("B", false)});
  int visits = 0;
  Status status = stream->ForEach([&](const PreImage&) {
    ++visits;
    return Status::IOError("the target went away");
  });
  CHECK(status.IsIOError());
  CHECK(visits == 1);
}

}  // namespace
}  // namespace ferry::first_pre_images_test

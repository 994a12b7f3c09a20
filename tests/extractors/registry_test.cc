#include "extractors/registry.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::registry_test {
namespace {

using testing::TempDir;

std::string KindOf(const std::string& argument) {
  Result<SourceSpec> spec = ResolveSource(argument);
  return spec.ok() ? spec->kind : spec.status().ToString();
}

bool IsRegistered(const std::string& name) {
  for (const SourceKind& kind : SourceKinds()) {
    if (name == kind.name) {
      return true;
    }
  }
  return false;
}

TEST_CASE("SourceKinds: ndjson, dump and json are registered in that order, described",
          "[extractors][registry]") {
  std::vector<std::string> file_kinds;
  for (const SourceKind& kind : SourceKinds()) {
    CHECK(std::string(kind.description).size() > 10);
    CHECK(kind.detect != nullptr);
    CHECK(kind.make != nullptr);
    std::string name = kind.name;
    if (name == "ndjson" || name == "dump" || name == "json") {
      file_kinds.push_back(name);
    }
  }
  // ndjson first: its detector looks at extensions only; dump and json sniff content.
  CHECK(file_kinds == std::vector<std::string>{"ndjson", "dump", "json"});
}

TEST_CASE("ResolveSource: a kind prefix names the kind and is removed from the path",
          "[extractors][registry]") {
  Result<SourceSpec> spec = ResolveSource("dump:/some/where/u1.txt");
  REQUIRE(spec.ok());
  CHECK(spec->kind == "dump");
  CHECK(spec->path == "/some/where/u1.txt");
  CHECK(KindOf("json:x") == "json");
  CHECK(KindOf("ndjson:x:y") == "ndjson");
  CHECK(ResolveSource("ndjson:x:y")->path == "x:y");
}

TEST_CASE("ResolveSource: detects bare files by extension and first byte",
          "[extractors][registry]") {
  TempDir dir;
  CHECK(KindOf(dir.Write("a.ndjson", "{}\n")) == "ndjson");
  CHECK(KindOf(dir.Write("a.JSONL", "")) == "ndjson");
  CHECK(KindOf(dir.Write("d.json", "\xEF\xBB\xBF \n {\"k\":\"v\"}")) == "dump");
  CHECK(KindOf(dir.Write("r.json", "\n[{}]")) == "json");
}

TEST_CASE("ResolveSource: detects folders of dumps, of arrays and of ndjson",
          "[extractors][registry]") {
  TempDir dir;
  dir.Write("dumps/a-empty.json", "  ");
  dir.Write("dumps/b.json", "{\"k\":\"v\"}");
  dir.Write("dumps/c.json", "[]");
  CHECK(KindOf(dir.path() + "/dumps") == "dump");
  dir.Write("arrays/a.json", "[]");
  CHECK(KindOf(dir.path() + "/arrays") == "json");
  dir.Write("lines/a.jsonl", "{}");
  CHECK(KindOf(dir.path() + "/lines") == "ndjson");
}

TEST_CASE("ResolveSource: a missing path is NotFound naming it",
          "[extractors][registry][corrupt]") {
  TempDir dir;
  Result<SourceSpec> spec = ResolveSource(dir.path() + "/nothing-here.json");
  REQUIRE(spec.status().IsNotFound());
  CHECK_THAT(spec.status().message(), Catch::Contains("nothing-here.json"));
}

TEST_CASE("ResolveSource: paths no kind claims are InvalidArgument suggesting a prefix",
          "[extractors][registry][corrupt]") {
  TempDir dir;
  for (const std::string& path : {dir.Write("empty.json", ""), dir.Write("text.txt", "{}"),
                                  dir.Write("n.json", "null"), dir.Folder("nothing")}) {
    INFO(path);
    Result<SourceSpec> spec = ResolveSource(path);
    REQUIRE(spec.status().IsInvalidArgument());
    CHECK_THAT(spec.status().message(), Catch::Contains(path));
    CHECK_THAT(spec.status().message(), Catch::Contains("dump:"));
  }
}

TEST_CASE("ResolveSource: known kinds not registered yet are InvalidArgument",
          "[extractors][registry][corrupt]") {
  const std::pair<const char*, const char*> kArguments[] = {{"chromium", "chromium:/p"},
                                                            {"firefox", "firefox:/p"},
                                                            {"sqlite", "sqlite:/x.db"},
                                                            {"postgresql", "postgresql://u@h/db"},
                                                            {"postgresql", "postgres://h/db"}};
  for (const auto& [kind, argument] : kArguments) {
    INFO(argument);
    Result<SourceSpec> spec = ResolveSource(argument);
    if (IsRegistered(kind)) {
      REQUIRE(spec.ok());
      CHECK(spec->kind == kind);
    } else {
      REQUIRE(spec.status().IsInvalidArgument());
      CHECK(spec.status().message() ==
            std::string("source kind ") + kind + " is not supported yet");
    }
  }
}

TEST_CASE("ResolveSource: unknown prefixes, empty paths and empty arguments are refused",
          "[extractors][registry][corrupt]") {
  CHECK(ResolveSource("mongo:/x").status().IsInvalidArgument());
  CHECK_THAT(ResolveSource("mongo:/x").status().message(), Catch::Contains("unknown source kind"));
  CHECK(ResolveSource("dump:").status().IsInvalidArgument());
  CHECK(ResolveSource("").status().IsInvalidArgument());
  // An existing file whose name has a colon is a path, not a prefix.
  TempDir dir;
  std::string odd = dir.Write("data:2024.json", "[]");
  CHECK(KindOf(odd) == "json");
}

TEST_CASE("MakeExtractor: makes registered kinds, refuses others", "[extractors][registry]") {
  TempDir dir;
  std::string path = dir.Write("d.json", R"({"k":"v"})");
  Result<SourceSpec> spec = ResolveSource(path);
  REQUIRE(spec.ok());
  Result<std::unique_ptr<Extractor>> extractor = MakeExtractor(*spec);
  REQUIRE(extractor.ok());
  REQUIRE((*extractor)->Open().ok());
  REQUIRE((*extractor)->Valid());
  CHECK((*extractor)->entry().value == "v");
  if (!IsRegistered("sqlite")) {
    CHECK(MakeExtractor(SourceSpec{"sqlite", "/x", {}}).status().IsInvalidArgument());
  }
  CHECK(MakeExtractor(SourceSpec{"nope", "/x", {}}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace ferry::registry_test

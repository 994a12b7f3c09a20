// Firefox's names for origins: storage/default folder names and webappsstore originKeys.
#include "extractors/firefox/origin_name.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry::firefox::origin_name_test {
namespace {

std::string FromFolder(const std::string& name) {
  Result<std::string> origin = OriginFromFolderName(name);
  INFO(name << ": " << origin.status().ToString());
  REQUIRE(origin.ok());
  return *origin;
}

std::string FromKey(const std::string& key, const std::string& attributes = "") {
  Result<std::string> origin = OriginFromStorageKey(key, attributes);
  INFO(key << ": " << origin.status().ToString());
  REQUIRE(origin.ok());
  return *origin;
}

TEST_CASE("FirefoxOriginName: folder names of the fixtures", "[extractors][firefox]") {
  CHECK(FromFolder("http+++127.0.0.1+8000") == "http://127.0.0.1:8000");
  CHECK(FromFolder("http+++localhost+8002") == "http://localhost:8002");
  CHECK(FromFolder("https+++example.com") == "https://example.com");
  CHECK(FromFolder("moz-extension+++0b4a1c2e-1d2f-4c3b-9a8d-7e6f5a4b3c2d") ==
        "moz-extension://0b4a1c2e-1d2f-4c3b-9a8d-7e6f5a4b3c2d");
}

TEST_CASE("FirefoxOriginName: folder names with IPv6 hosts and origin attributes",
          "[extractors][firefox]") {
  CHECK(FromFolder("http+++[++1]+8000") == "http://[::1]:8000");
  CHECK(FromFolder("https+++[fe80++1]") == "https://[fe80::1]");
  CHECK(FromFolder("https+++example.com^userContextId=2") == "https://example.com^userContextId=2");
  CHECK(FromFolder("http+++127.0.0.1+8000^privateBrowsingId=1&userContextId=3") ==
        "http://127.0.0.1:8000^privateBrowsingId=1&userContextId=3");
  CHECK(OriginWithoutAttributes("https://example.com^userContextId=2") == "https://example.com");
  CHECK(OriginWithoutAttributes("https://example.com") == "https://example.com");
}

TEST_CASE("FirefoxOriginName: FolderNameOf is the inverse for ordinary origins",
          "[extractors][firefox]") {
  for (std::string origin : {"http://127.0.0.1:8000", "https://[::1]:8443",
                             "https://example.com^userContextId=2", "http://a-b.example:1"}) {
    CHECK(FromFolder(FolderNameOf(origin)) == origin);
  }
}

TEST_CASE("FirefoxOriginName: hostile folder names are refused, never crash",
          "[extractors][firefox][corrupt]") {
  for (const std::string& name : std::vector<std::string>{"",
                                                          ".",
                                                          "..",
                                                          "+++",
                                                          "http+++",
                                                          "+++example.com",
                                                          "HTTP+++example.com",
                                                          "http++example.com",
                                                          "http+++exa mple.com",
                                                          "http+++example.com/../../etc",
                                                          "http+++a+b+c",
                                                          "http+++[++1",
                                                          "http+++[zz]",
                                                          "http+++[++1]8000",
                                                          "http+++[++1]+99999",
                                                          "http+++example.com^",
                                                          "http+++example.com^a/b",
                                                          "http+++\xC3\xA9.com",
                                                          std::string("http+++a\0b", 10),
                                                          "http+++example.com+",
                                                          std::string(5000, 'a')}) {
    Result<std::string> origin = OriginFromFolderName(name);
    INFO(name);
    CHECK(origin.status().IsInvalidArgument());
  }
  Result<std::string> bad = OriginFromFolderName("http+++ex ample.com");
  CHECK_THAT(bad.status().message(), Catch::Contains("http+++ex ample.com"));
}

TEST_CASE("FirefoxOriginName: port 65535 is a port, 65536 is not", "[extractors][firefox]") {
  CHECK(FromFolder("http+++h+65535") == "http://h:65535");
  CHECK_FALSE(OriginFromFolderName("http+++h+65536").ok());
}

TEST_CASE("FirefoxOriginName: webappsstore originKeys", "[extractors][firefox]") {
  CHECK(FromKey("1.0.0.721.:http:8000") == "http://127.0.0.1:8000");
  CHECK(FromKey("moc.elpmaxe.:https:443") == "https://example.com");
  CHECK(FromKey("moc.elpmaxe.:http:80") == "http://example.com");
  CHECK(FromKey("moc.elpmaxe.:http:443") == "http://example.com:443");
  CHECK(FromKey("tsohlacol.:http:8002", "^userContextId=1") ==
        "http://localhost:8002^userContextId=1");
  CHECK(FromKey("1::.:http:8000") == "http://[::1]:8000");
  CHECK(FromKey("moc.elpmaxe.:moz-extension") == "moz-extension://example.com");
}

TEST_CASE("FirefoxOriginName: hostile originKeys are refused, never crash",
          "[extractors][firefox][corrupt]") {
  for (const std::string& key : std::vector<std::string>{
           "", ":", "::", ":http:80", "moc.elpmaxe:http:80", "moc.elpmaxe.", "moc.elpmaxe.:HTTP:80",
           "moc.elp maxe.:http:80", ".:http:80", "moc.elpmaxe.:http:99999", "moc.elpmaxe.:80",
           std::string(3000, ':')}) {
    INFO(key);
    CHECK(OriginFromStorageKey(key, "").status().IsInvalidArgument());
  }
  CHECK(
      OriginFromStorageKey("moc.elpmaxe.:http:80", "userContextId=1").status().IsInvalidArgument());
}

}  // namespace
}  // namespace ferry::firefox::origin_name_test

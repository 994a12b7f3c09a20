#include "agent/argv_secrets.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry::argv_secrets_test {
namespace {

// Runs TakeArgumentsHidingPasswords over `texts`; returns what argv holds afterwards.
std::vector<std::string> Hidden(std::vector<std::string> texts,
                                std::vector<std::string>* parsed = nullptr) {
  std::vector<char*> argv;
  for (std::string& text : texts) argv.push_back(text.data());
  std::vector<std::string> copy =
      TakeArgumentsHidingPasswords(static_cast<int>(argv.size()), argv.data());
  if (parsed != nullptr) *parsed = copy;
  return std::vector<std::string>(argv.begin(), argv.end());
}

TEST_CASE("TakeArgumentsHidingPasswords: blanks URL and keyword passwords, parses the original",
          "[agent][security]") {
  std::vector<std::string> parsed;
  std::vector<std::string> shown =
      Hidden({"ferry", "migrate", "--target", "postgresql://bob:s%40cret@db:5432/app?sslmode=off",
              "--user-id", "u1"},
             &parsed);
  CHECK(shown[3] == "postgresql://bob:xxxxxxxx@db:5432/app?sslmode=off");
  CHECK(parsed[3] == "postgresql://bob:s%40cret@db:5432/app?sslmode=off");
  CHECK(Hidden({"ferry", "--target=postgres://h/db?user=a&password=pw1&x=1"})[1] ==
        "--target=postgres://h/db?user=a&password=xxx&x=1");
  CHECK(Hidden({"ferry", "host=h Password = 'p w' dbname=d"})[1] ==
        "host=h Password = xxxxx dbname=d");
  CHECK(Hidden({"ferry", "https://example.com/a:b@c", "sqlite:x.db"})[1] ==
        "https://example.com/a:b@c");
  CHECK(Hidden({"ferry", "postgresql://bob@db/app"})[1] == "postgresql://bob@db/app");
}

}  // namespace
}  // namespace ferry::argv_secrets_test

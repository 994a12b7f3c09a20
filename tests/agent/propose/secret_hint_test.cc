#include "agent/propose/secret_hint.h"

#include <catch2/catch.hpp>

namespace ferry::propose::secret_hint_test {
namespace {

TEST_CASE("SecretNameReason: names of tokens, passwords and keys, in any spelling",
          "[agent][propose]") {
  CHECK(SecretNameReason("authToken") == "its name contains \"token\"");
  CHECK(SecretNameReason("github_token") == "its name contains \"token\"");
  CHECK(SecretNameReason("API-Key") == "its name contains \"apikey\"");
  CHECK(SecretNameReason("userPassword") == "its name contains \"password\"");
  CHECK(SecretNameReason("client.secret") == "its name contains \"secret\"");
  CHECK(SecretNameReason("pwd") == "its name is \"pwd\"");
  CHECK(SecretNameReason("author").empty());
  CHECK(SecretNameReason("title").empty());
  CHECK(SecretNameReason("tokenizer_version") == "its name contains \"token\"");  // a hint only
}

TEST_CASE("SecretValueReason: JWTs and well-known token forms, not prose", "[agent][propose]") {
  CHECK(SecretValueReason("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl") ==
        "its value is a JSON Web Token");
  CHECK(SecretValueReason("ghp_AWazGJqe5nblBYzRI4wabuqIQaKybPwVXao4") ==
        "its value looks like an access token (ghp_...)");
  CHECK(SecretValueReason("AKIAIOSFODNN7EXAMPLE") == "its value looks like an AWS key");
  CHECK_FALSE(SecretValueReason("Bearer abcdefghijklmnopqrstuvwxyz").empty());
  CHECK(SecretValueReason("eyJ not a token").empty());
  CHECK(SecretValueReason("a.b.c").empty());
  CHECK(SecretValueReason("ghp_").empty());
  CHECK(SecretValueReason("Token invoice beta export").empty());
}

}  // namespace
}  // namespace ferry::propose::secret_hint_test

// FieldSealer (transformers/field_seal.h): what it writes is opened here with libsodium
// directly, as a user's own program would, never through ferry's code.
#include "transformers/field_seal.h"

#include <catch2/catch.hpp>

#include "tests/transformers/open_sealed_field.h"

namespace ferry::field_seal_test {
namespace {

using test::OpenSealedField;

constexpr char kKeyHex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

}  // namespace

TEST_CASE("FieldSealer: libsodium opens what it seals, with the key and the row's ULID",
          "[transformers][field_seal]") {
  FieldSealer sealer = *FieldSealer::FromHex(kKeyHex);
  std::string sealed = sealer.Seal("\"ghp_secret\"", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "config.token");
  CHECK(sealed.rfind("ferry-enc:v1:", 0) == 0);
  CHECK(sealed.find("ghp_secret") == std::string::npos);
  CHECK(OpenSealedField(sealed, kKeyHex, "01HGW2N7EHJVKQ0AZ3FQXB6Q5D") ==
        std::string("\"ghp_secret\""));
}

TEST_CASE("FieldSealer: another ULID or another key does not open it",
          "[transformers][field_seal]") {
  FieldSealer sealer = *FieldSealer::FromHex(kKeyHex);
  std::string sealed = sealer.Seal("\"ghp_secret\"", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "token");
  CHECK_FALSE(
      OpenSealedField(sealed, kKeyHex, "01HGW2N7EHJVKQ0AZ3FQXB6Q5E"));  // moved to another row
  std::string other(kKeyHex);
  other[0] = '1';
  CHECK_FALSE(OpenSealedField(sealed, other, "01HGW2N7EHJVKQ0AZ3FQXB6Q5D"));
  std::string flipped = sealed;
  flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
  CHECK_FALSE(OpenSealedField(flipped, kKeyHex, "01HGW2N7EHJVKQ0AZ3FQXB6Q5D"));
}

TEST_CASE("FieldSealer: the same value of the same row and field seals alike, others not",
          "[transformers][field_seal]") {
  FieldSealer sealer = *FieldSealer::FromHex(kKeyHex);
  std::string a = sealer.Seal("1", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "x");
  CHECK(sealer.Seal("1", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "x") == a);  // a rerun: unchanged
  CHECK(sealer.Seal("2", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "x") != a);
  CHECK(sealer.Seal("1", "01HGW2N7EHJVKQ0AZ3FQXB6Q5E", "x") != a);
  CHECK(sealer.Seal("1", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "y") != a);
  // Different nonces too, not only different tags: the first 32 base64 digits are the nonce.
  CHECK(sealer.Seal("1", "01HGW2N7EHJVKQ0AZ3FQXB6Q5D", "y").substr(0, 45) != a.substr(0, 45));
}

TEST_CASE("FieldSealer: a key that is not 64 hex digits is refused without echoing it",
          "[transformers][field_seal]") {
  for (std::string bad : {std::string(""), std::string(63, 'a'), std::string(65, 'a'),
                          std::string(62, 'a') + "zz", std::string(64, 'g')}) {
    Result<FieldSealer> made = FieldSealer::FromHex(bad);
    REQUIRE_FALSE(made.ok());
    CHECK(made.status().code() == Status::Code::kInvalidArgument);
    if (!bad.empty()) CHECK(made.status().message().find(bad) == std::string::npos);
  }
}

}  // namespace ferry::field_seal_test

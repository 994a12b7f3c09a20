#include "agent/propose/secret_hint.h"

#include <array>
#include <cctype>

namespace ferry::propose {

namespace {

std::string Lower(std::string_view text) {
  std::string lower;
  for (char c : text) {
    if (c == '_' || c == '-' || c == '.') continue;  // api_key, api-key, apiKey alike
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower;
}

bool Base64Url(std::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '=') {
      return false;
    }
  }
  return true;
}

bool Jwt(std::string_view value) {
  if (value.substr(0, 3) != "eyJ") return false;
  size_t first = value.find('.');
  size_t second = first == std::string_view::npos ? first : value.find('.', first + 1);
  if (second == std::string_view::npos || value.find('.', second + 1) != std::string_view::npos) {
    return false;
  }
  return Base64Url(value.substr(0, first)) &&
         Base64Url(value.substr(first + 1, second - first - 1)) &&
         Base64Url(value.substr(second + 1));
}

}  // namespace

std::string SecretNameReason(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kWords = {
      "token",      "password",  "passwd",        "secret", "apikey",    "credential",
      "privatekey", "accesskey", "authorization", "cookie", "sessionid", "passphrase"};
  const std::string lower = Lower(name);
  for (std::string_view word : kWords) {
    if (lower.find(word) != std::string::npos) {
      return "its name contains \"" + std::string(word) + "\"";
    }
  }
  if (lower == "pwd" || lower == "pin" || lower == "auth") return "its name is \"" + lower + "\"";
  return std::string();
}

std::string SecretValueReason(std::string_view value) {
  if (Jwt(value)) return "its value is a JSON Web Token";
  static constexpr std::array<std::string_view, 9> kPrefixes = {
      "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxb-", "xoxp-", "glpat-"};
  for (std::string_view prefix : kPrefixes) {
    if (value.size() > prefix.size() + 8 && value.substr(0, prefix.size()) == prefix) {
      return "its value looks like an access token (" + std::string(prefix) + "...)";
    }
  }
  if (value.size() == 20 && value.substr(0, 4) == "AKIA") return "its value looks like an AWS key";
  if (value.substr(0, 7) == "Bearer " && value.size() > 20) {
    return "its value is a bearer credential";
  }
  return std::string();
}

}  // namespace ferry::propose

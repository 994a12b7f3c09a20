#include "extractors/firefox/origin_name.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "extractors/firefox/firefox_format.h"

namespace ferry::firefox {

namespace {

constexpr size_t kMaxNameLength = 2048;
constexpr size_t kMaxPortDigits = 5;
constexpr int kMaxPort = 65535;

// Ports an origin leaves out because they are its scheme's default.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDefaultPorts = {
    {{"http", "80"}, {"https", "443"}, {"ws", "80"}, {"wss", "443"}, {"ftp", "21"}}};

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsLower(c) || IsDigit(c) || (c >= 'A' && c <= 'Z'); }

// A URL scheme: a lowercase letter, then letters, digits, '+', '-' or '.'.
bool IsScheme(std::string_view text) {
  if (text.empty() || !IsLower(text[0])) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return IsLower(c) || IsDigit(c) || c == '+' || c == '-' || c == '.';
  });
}

// A host name or IPv4 address as an origin holds it (ASCII, punycode for the rest).
bool IsHostName(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return IsAlnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == '%';
  });
}

// The inside of an IPv6 literal ("::1", "fe80::1", "::ffff:1.2.3.4").
bool IsIpv6(std::string_view text) {
  return text.find(':') != std::string_view::npos &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                  c == '.';
         });
}

bool IsPort(std::string_view text) {
  if (text.empty() || text.size() > kMaxPortDigits ||
      !std::all_of(text.begin(), text.end(), IsDigit)) {
    return false;
  }
  return std::stoi(std::string(text)) <= kMaxPort;
}

// An attribute suffix: empty, or '^' and printable ASCII without path separators.
bool IsAttributes(std::string_view text) {
  if (text.empty()) {
    return true;
  }
  return text.size() > 1 && text[0] == kAttributesSeparator &&
         std::all_of(text.begin() + 1, text.end(),
                     [](char c) { return c > 0x20 && c < 0x7F && c != '/' && c != '\\'; });
}

Status Bad(std::string_view what, std::string_view name, std::string_view why) {
  return Status::InvalidArgument(
      fmt::format("{} \"{}\" is not an origin: {}", what, name.substr(0, 200), why));
}

}  // namespace

std::string_view OriginWithoutAttributes(std::string_view origin) {
  return origin.substr(0, origin.find(kAttributesSeparator));
}

std::string FolderNameOf(std::string_view origin) {
  std::string name(origin);
  for (char& c : name) {
    if (kSanitizedChars.find(c) != std::string_view::npos) {
      c = kSanitizedChar;
    }
  }
  return name;
}

Result<std::string> OriginFromFolderName(std::string_view name) {
  constexpr std::string_view kWhat = "folder name";
  if (name.empty() || name.size() > kMaxNameLength) {
    return Bad(kWhat, name, "empty or too long");
  }
  std::string_view base = OriginWithoutAttributes(name);
  std::string_view attributes = name.substr(base.size());
  if (!IsAttributes(attributes)) {
    return Bad(kWhat, name, "malformed origin attributes after '^'");
  }
  size_t separator = base.find("+++");
  if (separator == std::string_view::npos || !IsScheme(base.substr(0, separator))) {
    return Bad(kWhat, name, "no \"scheme+++\" at the start");
  }
  std::string_view scheme = base.substr(0, separator);
  std::string_view rest = base.substr(separator + 3);
  std::string host;
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {  // IPv6: "[++1]" was "[::1]"
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return Bad(kWhat, name, "'[' without ']'");
    }
    host = std::string(rest.substr(1, close - 1));
    std::replace(host.begin(), host.end(), kSanitizedChar, ':');
    if (!IsIpv6(host)) {
      return Bad(kWhat, name, "malformed IPv6 address");
    }
    host = "[" + host + "]";
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest[0] != kSanitizedChar || !IsPort(rest.substr(1))) {
        return Bad(kWhat, name, "malformed port after the IPv6 address");
      }
      port = rest.substr(1);
    }
  } else {
    size_t last = rest.rfind(kSanitizedChar);
    if (last != std::string_view::npos && IsPort(rest.substr(last + 1))) {
      port = rest.substr(last + 1);
      rest = rest.substr(0, last);
    }
    if (!IsHostName(rest)) {
      return Bad(kWhat, name, "malformed host");
    }
    host = std::string(rest);
  }
  std::string origin = fmt::format("{}{}{}", scheme, kSchemeSeparator, host);
  if (!port.empty()) {
    origin += fmt::format(":{}", port);
  }
  return origin + std::string(attributes);
}

Result<std::string> OriginFromStorageKey(std::string_view origin_key, std::string_view attributes) {
  constexpr std::string_view kWhat = "originKey";
  if (origin_key.empty() || origin_key.size() > kMaxNameLength) {
    return Bad(kWhat, origin_key, "empty or too long");
  }
  if (!IsAttributes(attributes)) {
    return Bad(kWhat, origin_key, "malformed originAttributes");
  }
  size_t last = origin_key.rfind(kOriginKeySeparator);
  if (last == std::string_view::npos) {
    return Bad(kWhat, origin_key, "no ':scheme'");
  }
  std::string_view port;
  std::string_view head = origin_key.substr(0, last);
  std::string_view scheme = origin_key.substr(last + 1);
  if (IsPort(scheme)) {
    port = scheme;
    last = head.rfind(kOriginKeySeparator);
    if (last == std::string_view::npos) {
      return Bad(kWhat, origin_key, "no ':scheme' before the port");
    }
    scheme = head.substr(last + 1);
    head = head.substr(0, last);
  }
  if (!IsScheme(scheme)) {
    return Bad(kWhat, origin_key, "malformed scheme");
  }
  if (head.size() < 2 || head.back() != kReversedHostEnd) {
    return Bad(kWhat, origin_key, "the reversed host does not end with '.'");
  }
  std::string host(head.substr(0, head.size() - 1));
  std::reverse(host.begin(), host.end());
  if (IsIpv6(host)) {
    host = "[" + host + "]";
  } else if (!IsHostName(host)) {
    return Bad(kWhat, origin_key, "malformed host");
  }
  for (const auto& [known_scheme, default_port] : kDefaultPorts) {
    if (scheme == known_scheme && port == default_port) {
      port = {};
    }
  }
  std::string origin = fmt::format("{}{}{}", scheme, kSchemeSeparator, host);
  if (!port.empty()) {
    origin += fmt::format(":{}", port);
  }
  return origin + std::string(attributes);
}

}  // namespace ferry::firefox

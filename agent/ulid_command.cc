#include "agent/ulid_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <iostream>
#include <memory>

#include "agent/exit_codes_help.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Quotes a command-line argument for a message; control and non-ASCII bytes become \xNN so
// that nothing typed can drive the terminal.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      quoted += "\\x";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 0xf];
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

// Decimal digits only (no sign, no spaces); nullopt on anything else or on overflow.
std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string HexOfRandom(const Ulid& ulid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 6; i < ulid.bytes.size(); ++i) {
    hex += kHex[ulid.bytes[i] >> 4];
    hex += kHex[ulid.bytes[i] & 0xf];
  }
  return hex;
}

}  // namespace

Result<uint64_t> ParseUlidTime(std::string_view text) {
  std::optional<uint64_t> ms = ParseDecimal(text);
  if (!ms) {
    const std::optional<int64_t> parsed = ParseRfc3339Millis(text);
    if (!parsed) {
      return Status::InvalidArgument("time " + Quote(text) +
                                     " is neither RFC 3339 nor epoch milliseconds");
    }
    if (*parsed < 0) {
      return Status::InvalidArgument("time " + Quote(text) +
                                     " is before 1970: a ULID's time cannot be negative");
    }
    ms = static_cast<uint64_t>(*parsed);
  }
  if (*ms > kUlidMaxTime) {
    return Status::InvalidArgument("time " + Quote(text) + " is above the ULID maximum " +
                                   std::to_string(kUlidMaxTime) + " ms");
  }
  return *ms;
}

int RunUlidGenerate(std::string_view count_text, const std::optional<std::string>& time,
                    std::ostream& out, std::ostream& err) {
  const std::optional<uint64_t> count = ParseDecimal(count_text);
  if (!count) {
    err << "ferry ulid generate: --count " << Quote(count_text)
        << " is not a non-negative integer\n";
    return kExitUsage;
  }
  std::optional<uint64_t> fixed_time;
  if (time) {
    Result<uint64_t> parsed = ParseUlidTime(*time);
    if (!parsed.ok()) {
      err << "ferry ulid generate: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    fixed_time = *parsed;
  }
  UlidGenerator generator;
  uint64_t last_time = 0;
  std::string buffer;
  for (uint64_t i = 0; i < *count; ++i) {
    // The clock may step back; the output stays sorted by never going below the last time.
    const uint64_t t = fixed_time ? *fixed_time : std::max(UlidGenerator::NowMillis(), last_time);
    Result<Ulid> ulid = generator.Generate(t);
    if (!ulid.ok()) {
      out << buffer;
      err << "ferry ulid generate: " << ulid.status().message() << "\n";
      return kExitFailed;
    }
    last_time = t;
    buffer += EncodeUlid(*ulid);
    buffer += '\n';
    if (buffer.size() >= 64 * 1024) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  out.flush();
  return out ? kExitOk : kExitFailed;
}

int RunUlidDecode(std::string_view text, std::ostream& out, std::ostream& err) {
  Result<Ulid> ulid = DecodeUlid(text);
  if (!ulid.ok()) {
    err << "ferry ulid decode: invalid ULID " << Quote(text) << ": " << ulid.status().message()
        << "\n";
    return kExitUsage;
  }
  const uint64_t ms = ulid->time_ms();
  out << "time_ms=" << ms << " time=" << FormatTimestampMillis(static_cast<int64_t>(ms))
      << " random=" << HexOfRandom(*ulid) << "\n";
  return kExitOk;
}

int RunUlidValidate(const std::vector<std::string>& texts, std::ostream& out) {
  int exit_code = kExitOk;
  for (const std::string& text : texts) {
    Result<Ulid> ulid = DecodeUlid(text);
    // A valid ULID is printed as given; an invalid one is quoted, as it may hold anything.
    if (ulid.ok()) {
      out << text << ": ok\n";
    } else {
      out << Quote(text) << ": invalid: " << ulid.status().message() << "\n";
      exit_code = kExitFailed;
    }
  }
  return exit_code;
}

void AddUlidCommand(CLI::App& root, int* exit_code) {
  // Option values live as long as the callbacks that read them, which the App owns.
  struct Options {
    std::string count = "1";
    std::string time;
    std::string decode_text;
    std::vector<std::string> validate_texts;
  };
  auto options = std::make_shared<Options>();

  CLI::App* ulid = root.add_subcommand("ulid", "Generate, decode and validate ULIDs");
  ulid->require_subcommand(1);
  SetExitCodesHelp(ulid,
                   "0 done; 1 failed (validate: an argument is not a ULID); 2 usage (decode: "
                   "not a ULID)");

  CLI::App* generate = ulid->add_subcommand("generate", "Print new ULIDs, one a line");
  SetExitCodesHelp(generate,
                   "0 done; 1 failed (no ULID could be made, or output failed); 2 usage "
                   "(a bad --count or --time)");
  generate->add_option("--count", options->count, "How many ULIDs (default 1)")->type_name("N");
  CLI::Option* time =
      generate->add_option("--time", options->time, "Their time: RFC 3339 or epoch milliseconds")
          ->type_name("T");
  generate->callback([options, time, exit_code] {
    const std::optional<std::string> fixed_time =
        time->count() > 0 ? std::optional<std::string>(options->time) : std::nullopt;
    *exit_code = RunUlidGenerate(options->count, fixed_time, std::cout, std::cerr);
  });

  CLI::App* decode = ulid->add_subcommand("decode", "Print a ULID's time and random bits");
  SetExitCodesHelp(decode, "0 decoded; 2 not a ULID");
  decode->add_option("ULID", options->decode_text, "The ULID to decode")->required();
  decode->callback([options, exit_code] {
    *exit_code = RunUlidDecode(options->decode_text, std::cout, std::cerr);
  });

  CLI::App* validate = ulid->add_subcommand("validate", "Check that each argument is a ULID");
  SetExitCodesHelp(validate, "0 every argument is a ULID; 1 one or more is not; 2 usage");
  validate->add_option("ULID", options->validate_texts, "The ULIDs to check")->required();
  validate->callback(
      [options, exit_code] { *exit_code = RunUlidValidate(options->validate_texts, std::cout); });
}

}  // namespace ferry

#include "transformers/ulid_time.h"

#include <fmt/format.h>

#include "transformers/datetime.h"
#include "transformers/scalar_text.h"
#include "transformers/ulid.h"

namespace ferry {

Result<int64_t> UlidTimeOf(simdjson::dom::element time, const std::string& field,
                           const std::string& format) {
  std::optional<int64_t> ms;
  if (format == "epoch_ms") {
    ms = EpochMillisOf(time);
    if (!ms) {
      return Status::InvalidArgument(
          fmt::format("{} is not a time in epoch milliseconds (a number)", field));
    }
  } else {
    if (time.is_string()) ms = ParseRfc3339Millis(std::string_view(time));
    if (!ms) return Status::InvalidArgument(fmt::format("{} is not an RFC 3339 date-time", field));
  }
  if (*ms < 0) {
    return Status::InvalidArgument(
        fmt::format("{} is {}, before 1970-01-01T00:00:00Z (the Unix epoch): a ULID cannot hold a "
                    "creation time before 1970",
                    field, FormatTimestampMillis(*ms)));
  }
  if (static_cast<uint64_t>(*ms) > kUlidMaxTime) {
    return Status::InvalidArgument(fmt::format(
        "{} is {}, after {}, the last time a ULID can hold", field, FormatTimestampMillis(*ms),
        FormatTimestampMillis(static_cast<int64_t>(kUlidMaxTime))));
  }
  return *ms;
}

}  // namespace ferry

// RedactUrl: a target address made safe to print in a log, a report or an error message.
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// `url` with every password replaced by "****":
//  - the password of a "scheme://user:password@host/..." URL (postgresql://, postgres://, or
//    any other scheme but sqlite: and file:, whose paths hold no secrets);
//  - the value of a "password=" query parameter ("?password=x", "&password=x");
//  - the value of a "password = x" / "password='x y'" keyword of a libpq conninfo string.
// It errs on the side of hiding too much: the userinfo ends at the LAST '@' of the URL, so a
// password holding '@', '/', '?' or '#' unescaped is still hidden whole.
std::string RedactUrl(std::string_view url);

}  // namespace ferry

// HtmlText: text from the data (ids, keys, origins, reasons, file names) made safe inside an
// HTML element or a quoted attribute value.
//
// The five HTML-special characters become entities (&amp; &lt; &gt; &quot; &#39;), so no value
// can open a tag, close <style> or end an attribute. What could make the page lie or break is
// made visible instead of acted on: NUL and every other control character except newline and
// tab, each bidi control (U+061C, U+200E/F, U+202A-202E, U+2066-2069) and the line and
// paragraph separators are written as their code point ("\u202e"), and each byte that is not
// valid UTF-8 as "\xff" — as base/terminal_text.h writes them on a terminal.
//
// Thread safety: pure.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// `text` escaped for HTML as described above.
std::string HtmlText(std::string_view text);

}  // namespace ferry

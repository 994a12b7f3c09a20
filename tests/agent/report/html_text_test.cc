#include "agent/report/html_text.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::html_text_test {

TEST_CASE("HtmlText: the HTML-special characters become entities", "[report][html]") {
  CHECK(HtmlText("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(HtmlText("</style><script>alert(1)</script>") ==
        "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  CHECK(HtmlText("plain text, ünïcödé ✓") == "plain text, ünïcödé ✓");
}

TEST_CASE("HtmlText: NUL, controls and bidi overrides are shown, not acted on",
          "[report][html][hostile]") {
  CHECK(HtmlText(std::string("a\0b", 3)) == "a\\u0000b");
  CHECK(HtmlText("x\x1b[2Jy\rz") == "x\\u001b[2Jy\\u000dz");
  CHECK(HtmlText("evil\u202Etxt.exe") == "evil\\u202etxt.exe");
  CHECK(HtmlText("\u2066\u2069\u200F\u061C\u2028") == "\\u2066\\u2069\\u200f\\u061c\\u2028");
  CHECK(HtmlText("keep\nnew\tlines") == "keep\nnew\tlines");
  CHECK(HtmlText("\xc2\x85") == "\\u0085");  // C1 NEL
}

TEST_CASE("HtmlText: bytes that are not UTF-8 are shown as \\x", "[report][html][hostile]") {
  CHECK(HtmlText("a\xff") == "a\\xff");
  CHECK(HtmlText("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
  CHECK(HtmlText("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  CHECK(HtmlText("\xe2\x82") == "\\xe2\\x82");           // truncated
  CHECK(HtmlText("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");
}

}  // namespace ferry::html_text_test

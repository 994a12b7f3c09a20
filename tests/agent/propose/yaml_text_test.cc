#include "agent/propose/yaml_text.h"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

namespace ferry::propose::yaml_text_test {
namespace {

TEST_CASE("YamlQuote: yaml-cpp reads back exactly the text, controls and bidi marks escaped",
          "[agent][propose]") {
  const std::string texts[] = {"",
                               "plain",
                               "with \"quotes\" and \\ backslash",
                               std::string("nul\0inside", 10),
                               "line\r\nbreak\ttab\x1b[2J",
                               "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x94\x91",
                               "rtl \xe2\x80\xae override \xe2\x80\xac",
                               "#: not a comment, - not a list, {not: flow}"};
  for (const std::string& text : texts) {
    std::string quoted = YamlQuote(text);
    CHECK(quoted.find('\x1b') == std::string::npos);
    CHECK(quoted.find("\xe2\x80\xae") == std::string::npos);
    CHECK(quoted.find('\n') == std::string::npos);
    YAML::Node node = YAML::Load("k: " + quoted);
    CHECK(node["k"].as<std::string>() == text);
  }
}

TEST_CASE("CommentText: one safe line, cut at a character", "[agent][propose]") {
  CHECK(CommentText("a\nb\x1b") == "a?b?");
  CHECK(CommentText("\xc3\xa9\xc3\xa9\xc3\xa9", 4) == "\xc3\xa9\xc3\xa9...");
}

TEST_CASE("SnakeName: table and column names from keys and fields", "[agent][propose]") {
  CHECK(SnakeName("formData:") == "form_data");
  CHECK(SnakeName("kanban:cards:") == "kanban_cards");
  CHECK(SnakeName("createdAt") == "created_at");
  CHECK(SnakeName("ui.sidebarWidth") == "ui_sidebar_width");
  CHECK(SnakeName("i18n:") == "i18n");
  CHECK(SnakeName("9lives") == "n9lives");
  CHECK(SnakeName("\xf0\x9f\x94\x91") == "x");
  CHECK(SnakeName(std::string(100, 'k')).size() == 48);
}

}  // namespace
}  // namespace ferry::propose::yaml_text_test

#include "agent/report/html_report.h"

#include <catch2/catch.hpp>
#include <regex>
#include <string>

namespace ferry::html_report_test {

namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t CountOf(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

Reject DateReject(int64_t index, const std::string& value) {
  Reject reject;
  reject.entity = "tasks";
  reject.where.file = "dump.json";
  reject.where.origin = "http://127.0.0.1:8000";
  reject.where.key = "tasks";
  reject.where.index = index;
  reject.where.pointer = "/createdAt";
  reject.schema_location = "#/definitions/dateTime/format";
  reject.reason = "\"" + value + "\" is not an RFC 3339 date-time";
  return reject;
}

RunReport Sample() {
  RunReport report;
  report.run_id = "01J0000000000000000000000";
  report.dry_run = true;
  report.target = "postgresql://ferry@db/app";
  report.sources = {"dump.json"};
  report.mapping = "taskapp.yaml";
  report.duration_s = 2;
  report.peak_rss_kb = 2048;
  report.status = "completed_with_rejects";
  EntityCounts& tasks = report.Entity("tasks");
  tasks.read = 10;
  tasks.valid = 8;
  tasks.inserted = 5;
  tasks.merged = 2;
  tasks.unchanged = 1;
  tasks.rejected = 2;
  tasks.examples_inserted = {"t1", "t2"};
  tasks.AddConflictExample({"t9",
                            "merged",
                            {"title", "config.region"},
                            {"incoming_newer", "existing_newer"},
                            3,
                            {{false, "\"old\"", "\"new\"", ""}, {true, "", "", ""}}});
  tasks.GroupReject(DateReject(4, "2024-13-45"));
  tasks.GroupReject(DateReject(7, "yesterday"));
  report.Entity("lists").read = 3;
  return report;
}

}  // namespace

TEST_CASE("RenderHtmlReport: the entity table, bars, rejects by reason and the run's facts",
          "[report][html]") {
  std::string page = RenderHtmlReport(Sample());
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(Has(page, "<table class=\"entities\">"));
  CHECK(Has(page, "<tr class=\"entity\"><td>tasks</td><td class=\"n\">10</td>"));
  CHECK(Has(page, "<tr class=\"entity\"><td>lists</td>"));
  CHECK(Has(page, "would insert"));
  CHECK(Has(page, "<span class=\"ins\" style=\"width:50.000%\" title=\"5 inserted\">"));
  CHECK(Has(page, "<span class=\"rej\" style=\"width:20.000%\" title=\"2 rejected\">"));
  // One group for both date rejects, titled without the value, with each one's place.
  CHECK(CountOf(page, "<div class=\"group\">") == 1);
  CHECK(Has(page, "2 rejected"));
  CHECK(Has(page, "a value is not an RFC 3339 date-time"));
  CHECK(Has(page, "&quot;yesterday&quot; is not an RFC 3339 date-time"));
  CHECK(Has(page, "<code>/createdAt</code>"));
  CHECK(Has(page, "<td class=\"n\">7</td>"));
  // Conflicts field by field, and the facts.
  CHECK(Has(page,
            "<td><code>title</code></td><td class=\"values\"><code class=\"before\">&quot;old"
            "&quot;</code><span class=\"arrow\">→</span><code class=\"after\">&quot;new&quot;"
            "</code></td><td>incoming (newer)</td>"));
  CHECK(Has(page,
            "<code>config.region</code></td><td class=\"withheld\">withheld (sensitive)</td>"
            "<td>existing kept (newer)</td>"));
  CHECK(Has(page, "and 3 more field(s)"));
  CHECK(Has(page, "01J0000000000000000000000"));
  CHECK(Has(page, "postgresql://ferry@db/app"));
  CHECK(Has(page, "taskapp.yaml"));
  CHECK(Has(page, "records/s (13 records, 0 unit(s))"));
  CHECK(Has(page, "2.0 MiB"));
  CHECK(Has(page, "prefers-color-scheme:dark"));
}

TEST_CASE("RenderHtmlReport: the page loads nothing and runs nothing", "[report][html]") {
  std::string page = RenderHtmlReport(Sample());
  CHECK(Has(page, "Content-Security-Policy\" content=\"default-src 'none'"));
  CHECK_FALSE(Has(page, "<script"));
  CHECK_FALSE(Has(page, "@import"));
  CHECK_FALSE(Has(page, "url("));
  CHECK_FALSE(std::regex_search(page, std::regex(R"((src|href)\s*=)", std::regex::icase)));
  CHECK_FALSE(std::regex_search(page, std::regex("https?://(?!127\\.0\\.0\\.1:8000|ferry@db)")));
}

TEST_CASE("RenderHtmlReport: hostile values from the data are text, not markup",
          "[report][html][hostile]") {
  RunReport report = Sample();
  const std::string hostile =
      "</style><script>alert(1)</script><img src=http://evil/x>\u202Eevil" + std::string(1, '\0');
  report.error = hostile;
  report.sources = {hostile};
  EntityCounts& evil = report.Entity(hostile);
  evil.read = 1;
  evil.rejected = 1;
  Reject reject;
  reject.entity = hostile;
  reject.where.key = hostile;
  reject.where.origin = "\"><a href=http://evil>";
  reject.reason = hostile;
  evil.GroupReject(reject);
  evil.examples_inserted = {hostile};
  evil.AddConflictExample(
      {hostile, "merged", {hostile}, {hostile}, 0, {{false, hostile, hostile, hostile}}});
  report.problem_examples = {hostile};
  std::string page = RenderHtmlReport(report);
  CHECK_FALSE(Has(page, "<script"));
  CHECK_FALSE(Has(page, "<img"));
  CHECK_FALSE(Has(page, "<a "));
  CHECK(CountOf(page, "</style>") == 1);  // the style sheet's own
  CHECK_FALSE(Has(page, "\u202E"));
  CHECK_FALSE(Has(page, std::string(1, '\0')));
  CHECK(Has(page, "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(Has(page, "\\u202eevil\\u0000"));
  CHECK(Has(page, "&quot;&gt;&lt;a href=http://evil&gt;"));
}

TEST_CASE("RenderHtmlReport: a million records and 50000 rejects make a small page",
          "[report][html]") {
  RunReport report;
  report.run_id = "01J0000000000000000000000";
  for (const char* name : {"tasks", "lists", "notes"}) {
    EntityCounts& c = report.Entity(name);
    c.read = 333334;
    c.valid = c.read - 16667;
    c.inserted = c.valid;
    c.rejected = 16667;
    for (int64_t i = 0; i < c.rejected; ++i) {
      if (i % 3 == 0) {
        c.GroupReject(DateReject(i, std::to_string(i)));
      } else {  // a reason of its own each time
        Reject other = DateReject(i, "x");
        other.schema_location.clear();
        other.reason = "dangling reference to list " + std::to_string(i);
        c.GroupReject(other);
      }
    }
  }
  std::string page = RenderHtmlReport(report);
  CHECK(page.size() < 1024 * 1024);
  CHECK(Has(page, "more example(s)</summary>"));  // the rest of a group's examples folded
  CHECK(Has(page, "more reject(s) for other reasons"));
  CHECK(Has(page, "not listed here"));
}

}  // namespace ferry::html_report_test

#include "agent/report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "agent/report/html_report_details.h"
#include "agent/report/html_style.h"
#include "agent/report/html_text.h"

namespace ferry {

namespace {

// Nothing may be fetched: a value that slipped past escaping still could not reach out.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; "
    "base-uri 'none'";

void Fact(std::string* out, const char* name, const std::string& value, bool code = false) {
  if (value.empty()) return;
  fmt::format_to(std::back_inserter(*out), "<dt>{}</dt><dd>{}{}{}</dd>\n", name,
                 code ? "<code>" : "", HtmlText(value), code ? "</code>" : "");
}

const char* StatusClass(const std::string& status) {
  if (status == "completed") return "ok";
  if (status == "completed_with_rejects") return "warn";
  return "bad";
}

void AppendHeader(const RunReport& r, std::string* out) {
  auto to = std::back_inserter(*out);
  fmt::format_to(to, "<header>\n<h1>ferry migrate{}</h1>\n",
                 r.dry_run ? "<span class=\"badge\">dry run: nothing written</span>" : "");
  fmt::format_to(to, "<p class=\"status {}\" id=\"status\">{}{}</p>\n", StatusClass(r.status),
                 HtmlText(r.status), r.error.empty() ? "" : " — " + HtmlText(r.error));
  out->append("<dl class=\"facts\">\n");
  Fact(out, "run", r.run_id, true);
  Fact(out, "target", r.target, true);  // redacted by the run: never a password
  std::string sources;
  for (const std::string& source : r.sources) sources += (sources.empty() ? "" : ", ") + source;
  Fact(out, "sources", sources, true);
  Fact(out, "mapping", r.mapping.empty() ? "the bundled taskapp mapping" : r.mapping);
  Fact(out, "started", r.started_at);
  int64_t read = r.TotalRead();
  double rate = r.duration_s > 0 ? static_cast<double>(read) / r.duration_s : 0;
  Fact(out, "duration", fmt::format("{:.2f} s", r.duration_s));
  Fact(out, "rate", fmt::format("{:.0f} records/s ({} records, {} unit(s))", rate, read, r.units));
  Fact(out, "peak memory", fmt::format("{:.1f} MiB", r.peak_rss_kb / 1024.0));
  Fact(out, "unmapped keys", std::to_string(r.unmapped_keys));
  Fact(out, "reject file", r.rejects_file, true);
  Fact(out, "resumed run", r.resumed_from, true);
  Fact(out, "would stop", r.would_stop);
  out->append("</dl>\n</header>\n");
}

// One bar segment: `n` of `scale` records, as a share of the bar's width.
void Segment(std::string* out, const char* css_class, const char* what, int64_t n, int64_t scale) {
  if (n <= 0 || scale <= 0) return;
  double percent = 100.0 * static_cast<double>(n) / static_cast<double>(scale);
  fmt::format_to(std::back_inserter(*out),
                 "<span class=\"{}\" style=\"width:{:.3f}%\" title=\"{} {}\"></span>", css_class,
                 std::min(percent, 100.0), n, what);
}

void Cell(std::string* out, int64_t n) {
  fmt::format_to(std::back_inserter(*out), "<td class=\"n{}\">{}</td>", n == 0 ? " zero" : "", n);
}

void AppendRow(std::string* out, const std::string& name, const EntityCounts& c, int64_t scale,
               bool total) {
  fmt::format_to(std::back_inserter(*out), "<tr{}><td>{}</td>",
                 total ? " class=\"total\"" : " class=\"entity\"", HtmlText(name));
  for (int64_t n :
       {c.read, c.valid, c.inserted, c.updated, c.merged, c.skipped, c.unchanged, c.rejected}) {
    Cell(out, n);
  }
  out->append("<td><div class=\"bar\">");
  Segment(out, "ins", "inserted", c.inserted, scale);
  Segment(out, "upd", "updated", c.updated, scale);
  Segment(out, "mrg", "merged", c.merged, scale);
  Segment(out, "skp", "skipped", c.skipped, scale);
  Segment(out, "unc", "unchanged", c.unchanged, scale);
  Segment(out, "rej", "rejected", c.rejected, scale);
  out->append("</div></td></tr>\n");
}

void AppendEntityTable(const RunReport& r, std::string* out) {
  const char* verb = r.dry_run ? "would " : "";
  fmt::format_to(std::back_inserter(*out),
                 "<section id=\"entities\">\n<h2>Entities</h2>\n<table class=\"entities\">\n"
                 "<thead><tr><th>entity</th><th class=\"n\">read</th><th class=\"n\">valid</th>"
                 "<th class=\"n\">{0}insert</th><th class=\"n\">{0}update</th>"
                 "<th class=\"n\">{0}merge</th><th class=\"n\">{0}skip</th>"
                 "<th class=\"n\">unchanged</th><th class=\"n\">rejected</th>"
                 "<th>each bar: that entity's records read, to one scale</th></tr></thead>\n"
                 "<tbody>\n",
                 verb);
  int64_t scale = 0;
  EntityCounts total;
  for (const std::string& name : r.entity_order) {
    const EntityCounts& c = r.entities.at(name);
    scale = std::max({scale, c.read, c.valid + c.rejected});
    total.read += c.read;
    total.valid += c.valid;
    total.inserted += c.inserted;
    total.updated += c.updated;
    total.merged += c.merged;
    total.skipped += c.skipped;
    total.unchanged += c.unchanged;
    total.rejected += c.rejected;
  }
  for (const std::string& name : r.entity_order) {
    AppendRow(out, name, r.entities.at(name), scale, false);
  }
  // The total's bar is to its own scale: the shares of the whole run.
  AppendRow(out, "total", total, std::max(total.read, total.valid + total.rejected), true);
  fmt::format_to(std::back_inserter(*out),
                 "</tbody>\n</table>\n<p class=\"legend\"><i class=\"ins\"></i>{0}insert"
                 "<i class=\"upd\"></i>{0}update<i class=\"mrg\"></i>{0}merge"
                 "<i class=\"skp\"></i>{0}skip<i class=\"unc\"></i>unchanged"
                 "<i class=\"rej\"></i>rejected</p>\n</section>\n",
                 verb);
}

}  // namespace

std::string RenderHtmlReport(const RunReport& report) {
  std::string out;
  out.reserve(16 * 1024);
  fmt::format_to(std::back_inserter(out),
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
                 "<meta name=\"color-scheme\" content=\"light dark\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"ferry {}\">\n"
                 "<title>ferry migrate{} — run {}</title>\n<style>{}</style>\n</head>\n"
                 "<body>\n<main>\n",
                 kContentSecurityPolicy, FERRY_VERSION, report.dry_run ? " --dry-run" : "",
                 HtmlText(report.run_id), kHtmlReportStyle);
  AppendHeader(report, &out);
  AppendEntityTable(report, &out);
  AppendRejectsSection(report, &out);
  AppendConflictsSection(report, &out);
  AppendDecisionsSection(report, &out);
  AppendExamplesSection(report, &out);
  AppendProblemsSection(report, &out);
  out.append("</main>\n</body>\n</html>\n");
  return out;
}

}  // namespace ferry

#include "agent/report/html_report_details.h"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

#include "agent/report/html_text.h"

namespace ferry {

namespace {

// "3" as "<td class=n>3</td>", an unknown (-1) as an empty cell.
std::string NumberCell(int64_t n) {
  return n < 0 ? "<td></td>" : fmt::format("<td class=\"n\">{}</td>", n);
}

std::string CodeCell(const std::string& text) {
  return text.empty() ? "<td></td>" : "<td><code>" + HtmlText(text) + "</code></td>";
}

// The file with its line (and column) or byte offset, as Location::ToString writes them.
std::string FileOf(const Location& where) {
  std::string file = where.file;
  if (where.line >= 0) {
    file += fmt::format(":{}", where.line);
    if (where.column >= 0) file += fmt::format(":{}", where.column);
  } else if (where.offset >= 0) {
    file += fmt::format(" (byte {})", where.offset);
  }
  return file;
}

void AppendRejectTable(std::string* out, const std::vector<Reject>& rejects, size_t from,
                       size_t to) {
  out->append(
      "<table class=\"rejects\"><thead><tr><th>file</th><th>origin</th><th>key</th>"
      "<th class=\"n\">index</th><th>field</th><th>reason</th></tr></thead><tbody>\n");
  for (size_t i = from; i < to && i < rejects.size(); ++i) {
    const Reject& r = rejects[i];
    *out += "<tr><td class=\"file\"><code>" + HtmlText(FileOf(r.where)) + "</code></td>" +
            CodeCell(r.where.origin) + CodeCell(r.where.key) + NumberCell(r.where.index) +
            CodeCell(r.where.pointer) + "<td>" + HtmlText(r.reason) + "</td></tr>\n";
  }
  out->append("</tbody></table>\n");
}

// The length of the JSON string literal at the start of `text`, or 0 when none starts there.
size_t QuotedLength(std::string_view text) {
  if (text.empty() || text[0] != '"') return 0;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return 0;
}

// A schema group's title: its first reason without the value that differs from record to
// record ("\"2024-13-45\" is not an RFC 3339 date-time" -> "a value is not an RFC 3339
// date-time"); any other group's reason as it is.
std::string GroupTitle(const RejectGroup& group) {
  if (group.schema_location.empty()) return group.reason;
  std::string title = group.reason;
  if (size_t quoted = QuotedLength(title); quoted > 0) title = "a value" + title.substr(quoted);
  const std::string got = "got string ";
  size_t at = title.rfind(got);
  if (at != std::string::npos &&
      at + got.size() + QuotedLength(title.substr(at + got.size())) == title.size()) {
    title = title.substr(0, at) + "got a string";
  }
  return title;
}

void AppendRejectGroup(std::string* out, const std::string& entity, const RejectGroup& group,
                       const std::string& rejects_file) {
  auto to = std::back_inserter(*out);
  fmt::format_to(to, "<div class=\"group\"><span class=\"count\">{} rejected</span>\n",
                 group.count);
  fmt::format_to(to, "<h3 class=\"reason\">{}</h3>\n<p class=\"muted\">{}",
                 HtmlText(GroupTitle(group)), HtmlText(entity));
  if (!group.field.empty()) fmt::format_to(to, " · field <code>{}</code>", HtmlText(group.field));
  if (!group.schema_location.empty()) {
    fmt::format_to(to, " · rule <code>{}</code>", HtmlText(group.schema_location));
  }
  out->append("</p>\n");
  AppendRejectTable(out, group.examples, 0, kRejectExamplesShown);
  if (group.examples.size() > kRejectExamplesShown) {
    fmt::format_to(to, "<details><summary>{} more example(s)</summary>\n",
                   group.examples.size() - kRejectExamplesShown);
    AppendRejectTable(out, group.examples, kRejectExamplesShown, group.examples.size());
    out->append("</details>\n");
  }
  int64_t unlisted = group.count - static_cast<int64_t>(group.examples.size());
  if (unlisted > 0) {
    fmt::format_to(to, "<p class=\"muted\">and {} more, not listed here{}</p>\n", unlisted,
                   rejects_file.empty() ? " (--rejects FILE lists every one)"
                                        : ": every one is in " + HtmlText(rejects_file));
  }
  out->append("</div>\n");
}

std::string IdList(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids)
    out += (out.empty() ? "<code>" : ", <code>") + HtmlText(id) + "</code>";
  return out;
}

// How merge decided a field: which side's value the row ends with, and why.
std::string Decision(const std::string& decision) {
  if (decision == "incoming_newer") return "incoming (newer)";
  if (decision == "existing_newer") return "existing kept (newer)";
  if (decision == "incoming_filled_null") return "incoming filled an empty field";
  if (decision == "existing_kept_over_null") return "existing kept (incoming empty)";
  return HtmlText(decision);
}

// A field's values as before → after, the source's value when the row kept the target's, or
// "withheld" for a sensitive field; a dash when the values were not read.
std::string ValuesCell(const ConflictExample& e, size_t field) {
  if (field >= e.values.size()) return "<td class=\"muted\">—</td>";
  const ConflictValues& v = e.values[field];
  if (v.withheld) return "<td class=\"withheld\">withheld (sensitive)</td>";
  std::string cell = "<td class=\"values\"><code class=\"before\">" + HtmlText(v.before) +
                     "</code><span class=\"arrow\">→</span><code class=\"after\">" +
                     HtmlText(v.after) + "</code>";
  if (!v.incoming.empty()) {
    cell += " <span class=\"muted\">(incoming <code>" + HtmlText(v.incoming) +
            "</code> not taken)</span>";
  }
  return cell + "</td>";
}

}  // namespace

void AppendRejectsSection(const RunReport& report, std::string* out) {
  if (report.TotalRejected() == 0) return;
  fmt::format_to(std::back_inserter(*out),
                 "<section id=\"rejects\">\n<h2>Rejects by reason ({})</h2>\n",
                 report.TotalRejected());
  for (const std::string& name : report.entity_order) {
    const EntityCounts& c = report.entities.at(name);
    for (const RejectGroup& group : c.reject_groups) {
      AppendRejectGroup(out, name, group, report.rejects_file);
    }
    if (c.rejects_ungrouped > 0) {
      fmt::format_to(std::back_inserter(*out),
                     "<p class=\"muted\">{}: {} more reject(s) for other reasons, not grouped "
                     "here{}</p>\n",
                     HtmlText(name), c.rejects_ungrouped,
                     report.rejects_file.empty() ? "" : "; see " + HtmlText(report.rejects_file));
    }
  }
  out->append("</section>\n");
}

void AppendConflictsSection(const RunReport& report, std::string* out) {
  bool any = false;
  for (const std::string& name : report.entity_order) {
    const EntityCounts& c = report.entities.at(name);
    if (c.examples_conflicts.empty()) continue;
    if (!any) {
      out->append(
          "<section id=\"conflicts\">\n<h2>Conflicts: rows the target already held</h2>\n"
          "<p class=\"muted\">Each field that differed, the target's value before → the "
          "row's value after the run (cut to a few dozen characters); a sensitive field's "
          "value is withheld. Under <code>skip</code> the target's row is kept as it is "
          "and not read whole.</p>\n");
      any = true;
    }
    fmt::format_to(std::back_inserter(*out),
                   "<h3>{}: {} merged, {} updated, {} skipped, {} unchanged</h3>\n"
                   "<table class=\"conflicts\"><thead><tr><th>id</th><th>outcome</th>"
                   "<th>field</th><th>before → after</th><th>decided</th></tr></thead><tbody>\n",
                   HtmlText(name), c.merged, c.updated, c.skipped, c.unchanged);
    for (const ConflictExample& e : c.examples_conflicts) {
      size_t rows = std::max<size_t>(1, e.fields.size() + (e.more_fields > 0 ? 1 : 0));
      fmt::format_to(std::back_inserter(*out),
                     "<tr><td rowspan=\"{0}\"><code>{1}</code></td>"
                     "<td rowspan=\"{0}\">{2}</td>",
                     rows, HtmlText(e.legacy_id), HtmlText(e.outcome));
      if (e.fields.empty() && e.more_fields == 0) {
        out->append("<td class=\"muted\">—</td><td class=\"muted\">whole row</td><td></td></tr>\n");
        continue;
      }
      for (size_t f = 0; f < e.fields.size(); ++f) {
        if (f > 0) out->append("<tr>");
        *out += "<td><code>" + HtmlText(e.fields[f]) + "</code></td>" + ValuesCell(e, f) + "<td>" +
                (f < e.decisions.size() ? Decision(e.decisions[f]) : "") + "</td></tr>\n";
      }
      if (e.more_fields > 0) {
        fmt::format_to(std::back_inserter(*out),
                       "{}<td colspan=\"3\" class=\"muted\">and {} more field(s)</td></tr>\n",
                       e.fields.empty() ? "" : "<tr>", e.more_fields);
      }
    }
    out->append("</tbody></table>\n");
  }
  if (any) out->append("</section>\n");
}

void AppendDecisionsSection(const RunReport& report, std::string* out) {
  bool any = false;
  for (const std::string& name : report.entity_order) {
    const EntityCounts& c = report.entities.at(name);
    if (c.Decided() == 0) continue;
    if (!any) {
      out->append(
          "<section id=\"decisions\">\n<h2>Decisions at the terminal "
          "(<code>--conflict interactive</code>)</h2>\n"
          "<p class=\"muted\">Each conflict decided by hand, or by an S/O/M answer for the "
          "rest of the entity; the target's audit log holds every one.</p>\n");
      any = true;
    }
    fmt::format_to(std::back_inserter(*out),
                   "<h3>{}: {} skip, {} overwrite, {} merge ({} by an S/O/M answer)</h3>\n"
                   "<table class=\"conflicts\"><thead><tr><th>id</th><th>ULID</th>"
                   "<th>decision</th><th>how</th></tr></thead><tbody>\n",
                   HtmlText(name), c.decided_skip, c.decided_overwrite, c.decided_merge,
                   c.decided_by_rule);
    for (const DecisionExample& d : c.examples_decisions) {
      fmt::format_to(std::back_inserter(*out),
                     "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td>"
                     "<td>{}</td></tr>\n",
                     HtmlText(d.legacy_id), HtmlText(d.ulid), HtmlText(d.decision),
                     d.asked ? "asked" : "S/O/M");
    }
    if (static_cast<size_t>(c.Decided()) > c.examples_decisions.size()) {
      fmt::format_to(std::back_inserter(*out),
                     "<tr><td colspan=\"4\" class=\"muted\">and {} more</td></tr>\n",
                     static_cast<size_t>(c.Decided()) - c.examples_decisions.size());
    }
    out->append("</tbody></table>\n");
  }
  if (any) out->append("</section>\n");
}

void AppendExamplesSection(const RunReport& report, std::string* out) {
  const char* verb = report.dry_run ? "would be " : "";
  bool any = false;
  for (const std::string& name : report.entity_order) {
    const EntityCounts& c = report.entities.at(name);
    if (c.examples_inserted.empty() && c.examples_updated.empty() && c.examples_skipped.empty()) {
      continue;
    }
    if (!any) out->append("<section id=\"examples\">\n<h2>Examples (legacy ids)</h2>\n");
    any = true;
    fmt::format_to(std::back_inserter(*out), "<h3>{}</h3>\n<ul class=\"ids\">\n", HtmlText(name));
    auto line = [&](const char* what, const std::vector<std::string>& ids, int64_t count) {
      if (ids.empty()) return;
      fmt::format_to(std::back_inserter(*out), "<li>{}{} ({}): {}{}</li>\n", verb, what, count,
                     IdList(ids), static_cast<int64_t>(ids.size()) < count ? ", …" : "");
    };
    line("inserted", c.examples_inserted, c.inserted);
    line("updated", c.examples_updated, c.updated);
    line("skipped", c.examples_skipped, c.skipped);
    out->append("</ul>\n");
  }
  if (any) out->append("</section>\n");
}

void AppendProblemsSection(const RunReport& report, std::string* out) {
  std::vector<std::string> lines;
  for (const std::string& p : report.problem_examples) lines.push_back("problem: " + p);
  if (report.problems > static_cast<int64_t>(report.problem_examples.size())) {
    lines.push_back(
        fmt::format("{} problem(s) in all, reported by the sources' readers", report.problems));
  }
  for (const std::string& l : report.lossy_examples)
    lines.push_back("not well-formed UTF-16: " + l);
  if (report.lossy_entries > 0) {
    lines.push_back(
        fmt::format("{} entr{} not well-formed UTF-16 (U+FFFD in place of what was not)",
                    report.lossy_entries, report.lossy_entries == 1 ? "y" : "ies"));
  }
  if (report.duplicate_members > 0) {
    lines.push_back(fmt::format("{} repeated member name(s) in JSON objects: the last of each kept",
                                report.duplicate_members));
  }
  for (const std::string& failed : report.failed_units) lines.push_back("failed user " + failed);
  if (lines.empty()) return;
  out->append("<section id=\"problems\">\n<h2>Problems</h2>\n<ul>\n");
  for (const std::string& line : lines) *out += "<li>" + HtmlText(line) + "</li>\n";
  out->append("</ul>\n</section>\n");
}

}  // namespace ferry

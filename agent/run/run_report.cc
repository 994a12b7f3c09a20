#include "agent/run/run_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "transformers/json_writer.h"

namespace ferry {

EntityCounts& RunReport::Entity(const std::string& name) {
  auto [it, inserted] = entities.try_emplace(name);
  if (inserted) {
    entity_order.push_back(name);
  }
  return it->second;
}

void EntityCounts::AddConflictExample(ConflictExample example) {
  if (ConflictExamplesOf(example.outcome) < kMaxExamples) {
    examples_conflicts.push_back(std::move(example));
  }
}

size_t EntityCounts::ConflictExamplesOf(const std::string& outcome) const {
  size_t same = 0;
  for (const ConflictExample& kept : examples_conflicts) same += kept.outcome == outcome;
  return same;
}

int64_t RunReport::TotalRead() const {
  int64_t total = 0;
  for (const auto& [name, counts] : entities) total += counts.read;
  return total;
}

int64_t RunReport::TotalRejected() const {
  int64_t total = 0;
  for (const auto& [name, counts] : entities) total += counts.rejected;
  return total;
}

namespace {

// One line per entity with conflicts: "tasks conflicts: 2 merged, 1 unchanged; e.g. merged
// 17 (title, tags), unchanged 18".
void PrintConflicts(std::ostream& out, const std::string& name, const EntityCounts& c,
                    bool dry_run) {
  if (c.Conflicts() == 0) return;
  std::string line;
  auto count = [&line](int64_t n, const char* what) {
    if (n == 0) return;
    line += fmt::format("{}{} {}", line.empty() ? "" : ", ", n, what);
  };
  count(c.merged, "merged");
  count(c.unchanged, "unchanged");
  count(c.updated, "updated");
  count(c.skipped, "skipped");
  std::string examples;
  for (const ConflictExample& e : c.examples_conflicts) {
    examples += fmt::format("{}{} {}", examples.empty() ? "; e.g. " : ", ", e.outcome, e.legacy_id);
    if (!e.fields.empty()) {
      std::string fields;
      for (const std::string& f : e.fields) fields += (fields.empty() ? "" : ", ") + f;
      if (e.more_fields > 0) fields += fmt::format(" and {} more", e.more_fields);
      examples += " (" + fields + ")";
    }
  }
  out << fmt::format("  {} conflicts{}: {}{}\n", name, dry_run ? " (would be)" : "", line,
                     examples);
}

// The per-entity counts (updated and merged together) and their total: a table, or one line
// per entity when the table would not fit in `columns` (0: any width).
void PrintCountsTable(std::ostream& out, const std::vector<std::string>& order,
                      const std::map<std::string, EntityCounts>& entities,
                      const EntityCounts& total, bool dry_run, int columns) {
  size_t name_width = 18;  // wider for a longer name: the columns stay aligned
  for (const std::string& name : order) name_width = std::max(name_width, name.size());
  const size_t table_width = 2 + name_width + 7 * 10;
  auto row = [&](const std::string& name, const EntityCounts& c) {
    out << fmt::format("  {:<{}} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", name, name_width,
                       c.read, c.valid, c.inserted, c.updated, c.skipped, c.unchanged, c.rejected);
  };
  // "  tasks: read 200, valid 191, +insert 191, rejected 9", broken after a comma where it
  // would pass `columns` - 1 (the rest indented under the name).
  auto line = [&](const std::string& name, const EntityCounts& c) {
    std::vector<std::string> parts = {fmt::format("read {}", c.read),
                                      fmt::format("valid {}", c.valid)};
    auto add = [&parts](int64_t n, const char* what) {
      if (n != 0) parts.push_back(fmt::format("{} {}", what, n));
    };
    add(c.inserted, dry_run ? "+insert" : "inserted");
    add(c.updated, dry_run ? "~update" : "updated");
    add(c.skipped, dry_run ? "=skip" : "skipped");
    add(c.unchanged, "unchanged");
    add(c.rejected, "rejected");
    std::string text = "  " + name + ":";
    size_t width = text.size();
    for (size_t i = 0; i < parts.size(); ++i) {
      std::string part = " " + parts[i] + (i + 1 < parts.size() ? "," : "");
      if (width > 4 && width + part.size() > static_cast<size_t>(columns - 1)) {
        text += "\n   ";
        width = 3;
      }
      text += part;
      width += part.size();
    }
    out << text << "\n";
  };
  EntityCounts shown;
  if (columns > 0 && table_width >= static_cast<size_t>(columns)) {
    for (const std::string& name : order) {
      shown = entities.at(name);
      shown.updated += shown.merged;
      line(name, shown);
    }
    line("total", total);
    return;
  }
  out << fmt::format("  {:<{}} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "entity", name_width,
                     "read", "valid", dry_run ? "+insert" : "inserted",
                     dry_run ? "~update" : "updated", dry_run ? "=skip" : "skipped", "unchanged",
                     "rejected");
  for (const std::string& name : order) {
    shown = entities.at(name);
    shown.updated += shown.merged;
    row(name, shown);
  }
  row("total", total);
}

}  // namespace

void RunReport::PrintSummary(std::ostream& out, int columns) const {
  if (!error.empty() && units == 0 && TotalRead() == 0 && problems == 0) {
    // Failed before the first record (a bad flag, mapping, source or target): no table of
    // zeros, and no target when it was not resolved.
    out << fmt::format("ferry migrate{}: run {}{}\n  status: {}{}\n", dry_run ? " --dry-run" : "",
                       run_id, target.empty() ? "" : " → " + target, status,
                       error.empty() ? "" : " — " + error);
    return;
  }
  out << fmt::format("ferry migrate{}: run {} → {}\n", dry_run ? " --dry-run" : "", run_id, target);
  const char* verb = dry_run ? "would " : "";
  EntityCounts total;
  for (const std::string& name : entity_order) {
    const EntityCounts& c = entities.at(name);
    total.read += c.read;
    total.valid += c.valid;
    total.inserted += c.inserted;
    total.updated += c.updated + c.merged;
    total.skipped += c.skipped;
    total.unchanged += c.unchanged;
    total.rejected += c.rejected;
  }
  PrintCountsTable(out, entity_order, entities, total, dry_run, columns);
  if (dry_run) {
    for (const std::string& name : entity_order) {
      const EntityCounts& c = entities.at(name);
      auto list = [](const std::vector<std::string>& ids) {
        std::string s;
        for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
        return s;
      };
      if (!c.examples_inserted.empty()) {
        out << fmt::format("  {} {}insert e.g. {}\n", name, verb, list(c.examples_inserted));
      }
      if (!c.examples_updated.empty()) {
        out << fmt::format("  {} {}update e.g. {}\n", name, verb, list(c.examples_updated));
      }
      if (!c.examples_skipped.empty()) {
        out << fmt::format("  {} {}skip e.g. {}\n", name, verb, list(c.examples_skipped));
      }
    }
  }
  for (const std::string& name : entity_order) {
    PrintConflicts(out, name, entities.at(name), dry_run);
  }
  for (const std::string& name : entity_order) {
    const EntityCounts& c = entities.at(name);
    for (const Reject& r : c.examples_rejected) {
      out << fmt::format("  rejected {}: {}: {}\n", name, r.where.ToString(), r.reason);
    }
    auto more = c.rejected - static_cast<int64_t>(c.examples_rejected.size());
    if (more > 0) {
      out << fmt::format("  rejected {}: {} more; {}\n", name, more,
                         rejects_file.empty() ? "--rejects FILE lists every one"
                                              : "every one is in " + rejects_file);
    }
  }
  for (const std::string& p : problem_examples) {
    out << "  problem: " << p << "\n";
  }
  if (lossy_entries > 0) {
    out << fmt::format("  {} entr{} not well-formed UTF-16 (U+FFFD in place of what was not):\n",
                       lossy_entries, lossy_entries == 1 ? "y" : "ies");
  }
  for (const std::string& l : lossy_examples) {
    out << "  unicode: " << l << "\n";
  }
  if (duplicate_members > 0) {
    out << fmt::format("  {} repeated member name(s) in JSON objects: the last of each kept\n",
                       duplicate_members);
  }
  double rate = duration_s > 0 ? static_cast<double>(total.read) / duration_s : 0;
  out << fmt::format(
      "  {} unit(s) by {} worker(s), {} unmapped key(s){}; {:.2f} s, {:.0f} records/s, peak "
      "memory {:.1f} MiB\n",
      units, jobs, unmapped_keys,
      ignored_keys > 0 ? fmt::format(", {} ignored by the mapping", ignored_keys) : "", duration_s,
      rate, peak_rss_kb / 1024.0);
  if (!timed_by_run.empty()) {
    std::string names;
    for (const std::string& name : timed_by_run) names += (names.empty() ? "" : ", ") + name;
    out << "  ULIDs timed by the run (no creation time): " << names << "\n";
  }
  if (unchanged_units > 0) {
    out << fmt::format(
        "  {} unit(s) unchanged since a run loaded them whole, skipped (--rescan reads them):\n",
        unchanged_units);
  }
  if (unchanged_units_with_rejects > 0) {
    out << fmt::format(
        "  {} unit(s) unchanged since a run loaded them whole but for their rejects: read and "
        "checked again (their rejects said again), {} valid record(s) passed over, neither "
        "looked up nor written\n",
        unchanged_units_with_rejects, unchanged_passed_over);
    if (unchanged_rejects_kept > 0) {
      out << fmt::format(
          "    of them {} given back from what the target kept of their rejects, not read\n",
          unchanged_rejects_kept);
    }
  }
  for (const std::string& unit : unchanged_unit_examples) {
    out << "  unchanged: " << unit << "\n";
  }
  if (!backup.empty()) {
    out << "  backup: " << backup << "\n";
  }
  if (!rolled_back.empty()) {
    out << "  rolled back: " << rolled_back << "\n";
  }
  if (!rejects_file.empty()) {
    out << "  rejects: " << rejects_file << "\n";
  }
  if (!resumed_from.empty()) {
    int64_t earlier = 0;
    std::string per_entity;
    for (const auto& [name, n] : resumed_committed) {
      earlier += n;
      per_entity += fmt::format("{}{} {}", per_entity.empty() ? "" : ", ", name, n);
    }
    // A unit skipped by its mark is not read again: its records are in no count above.
    std::string read_again =
        unchanged_units == 0
            ? "again, so read, valid and rejected above are the whole run's"
            : fmt::format(
                  "again but for the {} unit(s) skipped by their marks (above), so read, valid "
                  "and rejected above are the whole run's but for those units' records",
                  unchanged_units);
    out << fmt::format(
        "  resumed the interrupted run {}: its earlier session(s) had read and committed {} "
        "record(s){}; this session read all {} {}, while inserted and updated are this "
        "session's share: {} valid record(s) of the batches they committed were passed over by "
        "their checkpoints, none written twice\n",
        resumed_from, earlier, per_entity.empty() ? "" : " (" + per_entity + ")", total.read,
        read_again, resume_passed_over);
  }
  for (const std::string& failed : failed_units) {
    out << "  failed user " << failed << "\n";
  }
  if (!would_stop.empty()) {
    out << "  " << would_stop << "\n";
  }
  out << "  status: " << status;
  if (!error.empty()) {
    out << " — " << error;
  }
  out << "\n";
}

namespace {

void Field(std::string* out, const char* name, const std::string& value, bool comma = true) {
  fmt::format_to(std::back_inserter(*out), "\"{}\":", name);
  AppendJsonString(value, out);
  if (comma) out->push_back(',');
}

void Number(std::string* out, const char* name, double value, bool comma = true) {
  fmt::format_to(std::back_inserter(*out), "\"{}\":{}{}", name, value, comma ? "," : "");
}

void Strings(std::string* out, const char* name, const std::vector<std::string>& values) {
  fmt::format_to(std::back_inserter(*out), "\"{}\":[", name);
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(values[i], out);
  }
  out->append("],");
}

// ,"withheld":true, or ,"before":..,"after":.. (and ,"incoming":.. when the row kept the
// target's value).
void AppendConflictValues(std::string* out, const ConflictValues& values) {
  if (values.withheld) {
    out->append(",\"withheld\":true");
    return;
  }
  out->push_back(',');
  Field(out, "before", values.before);
  Field(out, "after", values.after, !values.incoming.empty());
  if (!values.incoming.empty()) Field(out, "incoming", values.incoming, false);
}

// ,"decisions":{"skip":N,"overwrite":N,"merge":N,"by_rule":N,"examples":[{"legacy_id":..,
// "ulid":..,"decision":..,"asked":bool}]} when --conflict interactive decided any conflict.
void Decisions(std::string* out, const EntityCounts& c) {
  if (c.Decided() == 0) return;
  // The caller's last member ends without a comma: this one starts with it.
  out->append(",\"decisions\":{");
  Number(out, "skip", c.decided_skip);
  Number(out, "overwrite", c.decided_overwrite);
  Number(out, "merge", c.decided_merge);
  Number(out, "by_rule", c.decided_by_rule);
  out->append("\"examples\":[");
  for (size_t i = 0; i < c.examples_decisions.size(); ++i) {
    const DecisionExample& d = c.examples_decisions[i];
    if (i) out->push_back(',');
    out->push_back('{');
    Field(out, "legacy_id", d.legacy_id);
    Field(out, "ulid", d.ulid);
    Field(out, "decision", d.decision);
    out->append(d.asked ? "\"asked\":true}" : "\"asked\":false}");
  }
  out->append("]}");
}

// "examples_conflicts":[{"legacy_id":..,"outcome":..,"fields":[{"path":..,"decision":..,
// "before":..,"after":..}],"more_fields":N}],
void ConflictExamples(std::string* out, const std::vector<ConflictExample>& examples) {
  out->append("\"examples_conflicts\":[");
  for (size_t i = 0; i < examples.size(); ++i) {
    const ConflictExample& e = examples[i];
    if (i) out->push_back(',');
    out->push_back('{');
    Field(out, "legacy_id", e.legacy_id);
    Field(out, "outcome", e.outcome);
    out->append("\"fields\":[");
    for (size_t f = 0; f < e.fields.size(); ++f) {
      if (f) out->push_back(',');
      out->push_back('{');
      Field(out, "path", e.fields[f], false);
      if (f < e.decisions.size()) {
        out->push_back(',');
        Field(out, "decision", e.decisions[f], false);
      }
      if (f < e.values.size()) AppendConflictValues(out, e.values[f]);
      out->push_back('}');
    }
    out->append("],");
    Number(out, "more_fields", static_cast<double>(e.more_fields), false);
    out->push_back('}');
  }
  out->append("],");
}

// "reject_reasons":[{"field":..,"schema_location":..,"reason":..,"count":N}],
// "rejects_ungrouped":N — the counts of EntityCounts::reject_groups, without their examples.
void RejectReasons(std::string* out, const EntityCounts& c) {
  out->append("\"reject_reasons\":[");
  for (size_t i = 0; i < c.reject_groups.size(); ++i) {
    const RejectGroup& group = c.reject_groups[i];
    if (i) out->push_back(',');
    out->push_back('{');
    Field(out, "field", group.field);
    Field(out, "schema_location", group.schema_location);
    Field(out, "reason", group.reason);
    Number(out, "count", static_cast<double>(group.count), false);
    out->push_back('}');
  }
  out->append("],");
  Number(out, "rejects_ungrouped", static_cast<double>(c.rejects_ungrouped), false);
}

}  // namespace

std::string RunReport::ToJson() const {
  std::string out = "{";
  Field(&out, "run_id", run_id);
  fmt::format_to(std::back_inserter(out), "\"dry_run\":{},", dry_run ? "true" : "false");
  Field(&out, "target", target);
  Strings(&out, "sources", sources);
  Field(&out, "mapping", mapping);
  Field(&out, "started_at", started_at);
  Number(&out, "duration_s", duration_s);
  Number(&out, "units", static_cast<double>(units));
  Number(&out, "jobs", static_cast<double>(jobs));
  Number(&out, "records_read", static_cast<double>(TotalRead()));
  Number(&out, "records_per_s", duration_s > 0 ? TotalRead() / duration_s : 0);
  Number(&out, "peak_rss_kb", static_cast<double>(peak_rss_kb));
  Number(&out, "unmapped_keys", static_cast<double>(unmapped_keys));
  Number(&out, "ignored_keys", static_cast<double>(ignored_keys));
  Number(&out, "problems", static_cast<double>(problems));
  Strings(&out, "problem_examples", problem_examples);
  Number(&out, "lossy_entries", static_cast<double>(lossy_entries));
  Strings(&out, "lossy_examples", lossy_examples);
  Number(&out, "duplicate_members", static_cast<double>(duplicate_members));
  Field(&out, "rejects_file", rejects_file);
  Field(&out, "backup", backup);
  Strings(&out, "timed_by_run", timed_by_run);
  Field(&out, "rolled_back", rolled_back);
  Field(&out, "resumed_from", resumed_from);
  out += "\"resumed_committed\":{";
  for (auto it = resumed_committed.begin(); it != resumed_committed.end(); ++it) {
    if (it != resumed_committed.begin()) out.push_back(',');
    AppendJsonString(it->first, &out);
    fmt::format_to(std::back_inserter(out), ":{}", it->second);
  }
  out += "},";
  Number(&out, "resume_passed_over", static_cast<double>(resume_passed_over));
  Number(&out, "unchanged_units", static_cast<double>(unchanged_units));
  Number(&out, "unchanged_units_with_rejects", static_cast<double>(unchanged_units_with_rejects));
  Number(&out, "unchanged_passed_over", static_cast<double>(unchanged_passed_over));
  Number(&out, "unchanged_rejects_kept", static_cast<double>(unchanged_rejects_kept));
  Strings(&out, "unchanged_unit_examples", unchanged_unit_examples);
  Strings(&out, "failed_units", failed_units);
  Field(&out, "would_stop", would_stop);
  Field(&out, "status", status);
  Field(&out, "error", error);
  Number(&out, "exit_code", exit_code);
  out += "\"entities\":{";
  bool first = true;
  for (const std::string& name : entity_order) {
    const EntityCounts& c = entities.at(name);
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(name, &out);
    out += ":{";
    Number(&out, "read", c.read);
    Number(&out, "valid", c.valid);
    Number(&out, "inserted", c.inserted);
    Number(&out, "updated", c.updated);
    Number(&out, "skipped", c.skipped);
    Number(&out, "merged", c.merged);
    Number(&out, "unchanged", c.unchanged);
    Number(&out, "conflicts", c.Conflicts());
    Number(&out, "rejected", c.rejected);
    Strings(&out, "examples_inserted", c.examples_inserted);
    Strings(&out, "examples_updated", c.examples_updated);
    Strings(&out, "examples_skipped", c.examples_skipped);
    ConflictExamples(&out, c.examples_conflicts);
    out += "\"examples_rejected\":[";
    for (size_t i = 0; i < c.examples_rejected.size(); ++i) {
      const Reject& r = c.examples_rejected[i];
      if (i) out.push_back(',');
      out += "{";
      Field(&out, "where", r.where.ToString());
      Field(&out, "schema_location", r.schema_location);
      Field(&out, "reason", r.reason, false);
      out += "}";
    }
    out += "],";
    RejectReasons(&out, c);
    Decisions(&out, c);
    out += "}";
  }
  out += "}}";
  return out;
}

}  // namespace ferry

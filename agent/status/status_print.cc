#include "agent/status/status_print.h"

#include <fmt/format.h>

#include <optional>
#include <set>

#include "transformers/datetime.h"
#include "transformers/json_writer.h"

namespace ferry {

namespace {

bool Unfinished(const RunRecord& run) {
  return run.status == "running" || run.status == "interrupted";
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

void PrintRunLine(const RunStatusEntry& entry, std::ostream& out) {
  const RunRecord& run = entry.run;
  out << run.run_id << "  " << run.status << "  started " << OrDash(run.started_at) << "  finished "
      << OrDash(run.finished_at);
  if (Unfinished(run)) {
    out << "  committed " << entry.committed;
  }
  out << "  read " << run.read << " inserted " << run.inserted << " updated " << run.updated
      << " skipped " << run.skipped << " unchanged " << run.unchanged << " rejected "
      << run.rejected;
  if (entry.records_per_s >= 0) {
    out << fmt::format("  {:.0f} rec/s", entry.records_per_s);
  }
  if (run.status == "running") {
    out << "  " << entry.workers << (entry.workers == 1 ? " worker" : " workers");
  }
  out << "  " << run.host << ":" << run.pid << "  backup "
      << (!run.archive.empty()  ? run.archive
          : entry.wrote_nothing ? std::string("none (nothing written)")
                                : std::string("none"));
  if (entry.resumable) {
    out << "  resumable";
  }
  out << "\n";
}

void PrintRunDetails(const RunStatusEntry& entry, std::ostream& out) {
  out << "  arguments: " << OrDash(entry.run.arguments) << "\n";
  out << "  fingerprint: " << OrDash(entry.run.fingerprint) << "\n";
  if (!entry.run.error.empty()) {
    out << "  error: " << entry.run.error << "\n";
  }
  for (const CheckpointRecord& checkpoint : entry.checkpoints) {
    out << "  checkpoint user " << checkpoint.user_id << ", entity " << checkpoint.entity
        << ", unit " << checkpoint.unit << ": " << checkpoint.position << " records (at "
        << checkpoint.updated_at << ")\n";
  }
  if (entry.resumable) {
    out << "  resume: `ferry migrate` with these arguments goes on after these checkpoints\n";
  }
}

void AppendField(const char* name, const std::string& value, std::string* json) {
  AppendJsonString(name, json);
  json->push_back(':');
  AppendJsonString(value, json);
}

void AppendField(const char* name, int64_t value, std::string* json) {
  AppendJsonString(name, json);
  json->append(":").append(std::to_string(value));
}

void AppendField(const char* name, bool value, std::string* json) {
  AppendJsonString(name, json);
  json->append(value ? ":true" : ":false");
}

void AppendRun(const RunStatusEntry& entry, bool verbose, std::string* json) {
  const RunRecord& run = entry.run;
  json->push_back('{');
  AppendField("run_id", run.run_id, json);
  json->push_back(',');
  AppendField("status", run.status, json);
  json->push_back(',');
  AppendField("started_at", run.started_at, json);
  json->append(",\"finished_at\":");
  if (run.finished_at.empty()) {
    json->append("null");
  } else {
    AppendJsonString(run.finished_at, json);
  }
  const std::pair<const char*, int64_t> counts[] = {{"read", run.read},
                                                    {"inserted", run.inserted},
                                                    {"updated", run.updated},
                                                    {"skipped", run.skipped},
                                                    {"unchanged", run.unchanged},
                                                    {"rejected", run.rejected},
                                                    {"committed", entry.committed},
                                                    {"pid", run.pid}};
  for (const auto& [name, value] : counts) {
    json->push_back(',');
    AppendField(name, value, json);
  }
  json->append(",\"records_per_s\":");
  json->append(entry.records_per_s >= 0 ? fmt::format("{:.1f}", entry.records_per_s) : "null");
  json->push_back(',');
  AppendField("workers", static_cast<int64_t>(entry.workers), json);
  json->push_back(',');
  AppendField("host", run.host, json);
  json->push_back(',');
  AppendField("resumable", entry.resumable, json);
  json->push_back(',');
  AppendField("arguments", run.arguments, json);
  json->push_back(',');
  AppendField("fingerprint", run.fingerprint, json);
  json->append(",\"backup\":");
  if (run.archive.empty()) {
    json->append("null");
  } else {
    AppendJsonString(run.archive, json);
  }
  json->push_back(',');
  AppendField("wrote_nothing", entry.wrote_nothing, json);
  json->append(",\"error\":");
  if (run.error.empty()) {
    json->append("null");
  } else {
    AppendJsonString(run.error, json);
  }
  if (verbose) {
    json->append(",\"checkpoints\":[");
    for (size_t i = 0; i < entry.checkpoints.size(); ++i) {
      const CheckpointRecord& checkpoint = entry.checkpoints[i];
      json->append(i == 0 ? "{" : ",{");
      AppendField("user_id", checkpoint.user_id, json);
      json->push_back(',');
      AppendField("entity", checkpoint.entity, json);
      json->push_back(',');
      AppendField("unit", checkpoint.unit, json);
      json->push_back(',');
      AppendField("position", checkpoint.position, json);
      json->push_back(',');
      AppendField("updated_at", checkpoint.updated_at, json);
      json->push_back('}');
    }
    json->push_back(']');
  }
  json->push_back('}');
}

void AppendLock(const LockHolder& holder, std::string* json) {
  json->push_back('{');
  AppendField("user_id", holder.user_id, json);
  json->push_back(',');
  AppendField("run_id", holder.run_id, json);
  json->push_back(',');
  AppendField("host", holder.host, json);
  json->push_back(',');
  AppendField("pid", holder.pid, json);
  json->push_back(',');
  AppendField("since", holder.since, json);
  json->push_back(',');
  AppendField("alive", holder.alive, json);
  json->push_back('}');
}

}  // namespace

void DeriveProgress(StatusSnapshot* snapshot, int64_t now_ms) {
  std::set<std::string> arguments_seen;  // runs are newest first
  for (RunStatusEntry& entry : snapshot->runs) {
    entry.committed = 0;
    for (const CheckpointRecord& checkpoint : entry.checkpoints) {
      entry.committed += checkpoint.position;
    }
    bool newest_of_its_arguments = arguments_seen.insert(entry.run.arguments).second;
    entry.resumable = entry.run.status == "interrupted" && newest_of_its_arguments;
    entry.workers = 0;
    entry.records_per_s = -1;
    bool running = entry.run.status == "running";
    if (running) {
      for (const LockHolder& holder : snapshot->locks) {
        if (holder.alive && holder.run_id == entry.run.run_id) ++entry.workers;
      }
    }
    // An interrupted run has no end to measure to: its last checkpoint is not its last work.
    std::optional<int64_t> start = ParseRfc3339Millis(entry.run.started_at);
    std::optional<int64_t> end =
        running ? std::optional<int64_t>(now_ms) : ParseRfc3339Millis(entry.run.finished_at);
    if (start && end && *end > *start) {
      double records = static_cast<double>(running ? entry.committed : entry.run.read);
      entry.records_per_s = records * 1000.0 / static_cast<double>(*end - *start);
    }
  }
}

std::string DescribeHolder(const LockHolder& holder) {
  return "run " + holder.run_id + " on host " + holder.host + ", pid " +
         std::to_string(holder.pid) + ", since " + holder.since;
}

void PrintLocks(const std::vector<LockHolder>& locks, std::ostream& out) {
  for (const LockHolder& holder : locks) {
    out << "  user " << holder.user_id << ": " << DescribeHolder(holder)
        << (holder.alive ? " (alive)\n"
                         : " (stale: its holder is gone; `ferry unlock --force` clears it)\n");
  }
}

void PrintStatusText(const StatusSnapshot& snapshot, bool verbose, std::ostream& out) {
  if (snapshot.runs.empty() && snapshot.locks.empty()) {
    out << "no ferry runs in " << snapshot.target << "\n";
    return;
  }
  for (const RunStatusEntry& entry : snapshot.runs) {
    PrintRunLine(entry, out);
    if (verbose) {
      PrintRunDetails(entry, out);
    }
  }
  if (snapshot.locks.empty()) {
    out << "locks: none held\n";
    return;
  }
  out << "locks:\n";
  PrintLocks(snapshot.locks, out);
}

std::string StatusJson(const StatusSnapshot& snapshot, bool verbose) {
  std::string json = "{";
  AppendField("target", snapshot.target, &json);
  json.append(",\"runs\":[");
  for (size_t i = 0; i < snapshot.runs.size(); ++i) {
    if (i > 0) json.push_back(',');
    AppendRun(snapshot.runs[i], verbose, &json);
  }
  json.append("],\"locks\":[");
  for (size_t i = 0; i < snapshot.locks.size(); ++i) {
    if (i > 0) json.push_back(',');
    AppendLock(snapshot.locks[i], &json);
  }
  json.append("]}");
  return json;
}

}  // namespace ferry

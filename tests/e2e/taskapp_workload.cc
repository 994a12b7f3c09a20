#include "tests/e2e/taskapp_workload.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>

#include "transformers/json_writer.h"

namespace ferry::e2e {

namespace {

constexpr int64_t kFirstCreated = 1609459200000;  // 2021-01-01T00:00:00Z
const char* const kStatuses[] = {"todo", "in-progress", "done"};
// Text that COPY and SQLite must carry unchanged: a tab, a backslash, a quote, non-ASCII.
const char* const kTitleWords[] = {"fix",        "review", "tab\there", "back\\slash",
                                   "\"quoted\"", "café",   "日本語",    "🚀 launch",
                                   "new\nline",  "plan",   "100% done", "a,b;c"};

// A JSON string literal of `text` (UTF-8 passes through), as ferry's own writer makes it.
std::string JsonString(const std::string& text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

std::string Iso(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

std::string Uuid(std::mt19937_64& random) {
  char text[40];
  uint64_t a = random(), b = random();
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | (b >> 48 & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

// A legacy id as JSON: an integer, "<prefix>-N" or a UUID, by turns.
std::string LegacyIdJson(int index, const char* prefix, int integer_base, std::mt19937_64& random) {
  switch (index % 3) {
    case 0:
      return std::to_string(integer_base + index);
    case 1:
      return JsonString(std::string(prefix) + "-" + std::to_string(index));
    default:
      return JsonString(Uuid(random));
  }
}

std::string Environments(int count, int64_t first_created, std::mt19937_64& random,
                         std::vector<std::string>* ids) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    std::string id = LegacyIdJson(i, "env", 100, random);
    ids->push_back(id);
    int64_t created = first_created + i * 3600000 + static_cast<int64_t>(random() % 1000);
    out += (i == 0 ? "" : ",");
    out += "{\"id\":" + id + ",\"name\":" + JsonString("Env " + std::to_string(i) + " café");
    out += ",\"description\":" +
           (i % 2 == 0 ? std::string("null") : JsonString("env\tnumber " + std::to_string(i)));
    if (i % 4 != 3) out += std::string(",\"isActive\":") + (i % 2 == 0 ? "true" : "false");
    out += ",\"config\":{\"region\":\"eu-west-1\",\"githubToken\":\"ghp_secret" +
           std::to_string(i) + "\",\"retries\":" + std::to_string(i) + "}";
    out += ",\"createdAt\":" + JsonString(Iso(created)) +
           ",\"updatedAt\":" + JsonString(Iso(created + 86400000)) + "}";
  }
  return out + "]";
}

std::string Title(int task, std::mt19937_64& random) {
  std::string title = "Task " + std::to_string(task);
  int words = 1 + static_cast<int>(random() % 3);
  for (int w = 0; w < words; ++w) {
    title += " " + std::string(kTitleWords[random() % std::size(kTitleWords)]);
  }
  return title;
}

std::string Tasks(int count, int64_t first_created, bool bad, const std::vector<std::string>& envs,
                  std::mt19937_64& random) {
  std::string out = "[";
  int64_t created = first_created;
  for (int j = 0; j < count; ++j) {
    // Every fifth task shares its predecessor's millisecond: ULIDs monotonic within one.
    if (j % 5 != 1) created += 1 + static_cast<int64_t>(random() % 600000);
    std::string status = kStatuses[j % 3];
    if (bad && j == count / 2) status = "archived";
    out += (j == 0 ? "" : ",");
    out += "{\"id\":" + LegacyIdJson(j, "task", 1000, random);
    out += ",\"title\":" + JsonString(Title(j, random));
    out += ",\"description\":" +
           (j % 4 == 0 ? std::string("null") : JsonString("details of " + std::to_string(j)));
    out += ",\"status\":" + JsonString(status);
    if (j % 7 == 0) {
      out += ",\"tags\":[]";
    } else if (j % 3 == 0) {
      out += ",\"tags\":[\"work\",\"urgent\",\"idée\"]";
    }
    if (!envs.empty()) {
      out += ",\"environmentId\":" + (j % 6 == 5 ? std::string("null") : envs[j % envs.size()]);
    }
    out += ",\"createdAt\":" + JsonString(Iso(created)) +
           ",\"updatedAt\":" + JsonString(Iso(created + 1000 * (j % 50))) + "}";
  }
  return out + "]";
}

}  // namespace

int64_t TaskappWorkload::Batches(int batch_size) const {
  auto batches = [batch_size](int rows) { return (rows + batch_size - 1) / batch_size; };
  return static_cast<int64_t>(users.size()) *
         (batches(options.environments) + batches(options.tasks) + 3);
}

int64_t TaskappWorkload::Commits(int batch_size) const {
  std::vector<int> rows;  // per batch of one user, in the order they are written
  for (int left = options.environments; left > 0; left -= batch_size) {
    rows.push_back(std::min(left, batch_size));
  }
  for (int left = options.tasks; left > 0; left -= batch_size) {
    rows.push_back(std::min(left, batch_size));
  }
  rows.insert(rows.end(), {1, 1, 1, 0});  // three one-row entities and the unit's mark
  int64_t commits = 0;
  int held = 0;
  bool holding = false;
  for (int batch : rows) {
    held += batch;
    holding = true;
    if (held >= batch_size) {
      ++commits;
      held = 0;
      holding = false;
    }
  }
  if (holding) ++commits;
  return static_cast<int64_t>(users.size()) * commits;
}

TaskappWorkload WriteTaskappWorkload(const std::filesystem::path& dir,
                                     const TaskappWorkloadOptions& options) {
  std::filesystem::create_directories(dir);
  TaskappWorkload workload;
  workload.options = options;
  std::mt19937_64 random(options.seed);
  for (int u = 0; u < options.users; ++u) {
    char name[16];
    std::snprintf(name, sizeof name, "%02d", u);
    std::string user = options.user_prefix + name;
    int64_t first_created = kFirstCreated + u * int64_t{86400000} * 30;
    std::vector<std::string> envs;
    bool bad = options.bad_users.count(u) > 0;
    std::string dump = "{";
    dump += "\"environments\":" +
            JsonString(Environments(options.environments, first_created, random, &envs));
    dump += ",\"tasks\":" + JsonString(Tasks(options.tasks, first_created, bad, envs, random));
    dump +=
        ",\"userPreferences\":" +
        JsonString("{\"theme\":\"dark\",\"pageSize\":" + std::to_string(10 + u) +
                   ",\"updatedAt\":\"2023-01-0" + std::to_string(1 + u % 9) + "T10:00:00.000Z\"}");
    dump += ",\"formData:settings\":" +
            JsonString("{\"name\":" + JsonString(user) + ",\"githubToken\":\"ghp_form\"}");
    dump += ",\"customData\":" + JsonString("{\"pinned\":[1,2," + std::to_string(u) + "]}");
    dump += ",\"schemaVersion\":\"3\"}";
    std::string file = (dir / (user + ".json")).string();
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << dump;
    REQUIRE(out.flush());
    workload.users.push_back(user);
    workload.files.push_back(file);
    workload.tasks += options.tasks - (bad ? 1 : 0);
    workload.environments += options.environments;
  }
  return workload;
}

void ChangeOneTitleByte(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = text.find("title");
  REQUIRE(at != std::string::npos);
  at = text.find_first_of("abcdefghijklmnopqrstuvwxyz", at + 10);
  REQUIRE(at != std::string::npos);
  text[at] = text[at] == 'x' ? 'y' : 'x';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

std::vector<std::string> RejectLinesWithoutRunId(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    size_t id = line.find("\"run_id\":\"");
    REQUIRE(id != std::string::npos);
    size_t end = line.find('"', id + 10);
    lines.push_back(line.substr(0, id) + line.substr(end + 1));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace ferry::e2e

// Small task-app dumps written by hand, for end-to-end cases that need exact keys and ids.
// Header only: inline helpers over ferry's JSON string writer; dumps are written with
// e2e_util.h's WriteDump.
#pragma once

#include <map>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "transformers/json_writer.h"

namespace ferry::e2e {

// A JSON array of `count` valid tasks with ids PREFIX1..PREFIXcount.
inline std::string TasksJson(const std::string& prefix, int count) {
  std::string out = "[";
  for (int i = 1; i <= count; ++i) {
    out += (i > 1 ? "," : "");
    out += "{\"id\":\"" + prefix + std::to_string(i) + "\",\"title\":\"task " + std::to_string(i) +
           "\",\"status\":\"todo\",\"createdAt\":\"2024-01-02T03:04:05.000Z\","
           "\"updatedAt\":\"2024-01-03T03:04:05.000Z\"}";
  }
  return out + "]";
}

// A JSON array of one valid environment with id `id`.
inline std::string EnvironmentsJson(const std::string& id) {
  return "[{\"id\":\"" + id + "\",\"name\":\"Production\",\"config\":{\"region\":\"eu\"}}]";
}

// WriteDump (a localStorage dump {key: value}) is e2e_util.h's.

}  // namespace ferry::e2e

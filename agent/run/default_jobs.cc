#include "agent/run/default_jobs.h"

#include <algorithm>
#include <thread>

namespace ferry {

Result<int> DefaultJobs(const TargetSpec& target, uint64_t units, Loader* loader,
                        bool lock_session) {
  if (target.kind != "postgresql") return 1;
  if (units == 1) return 1;
  int jobs = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
  if (units > 1) jobs = std::min<int>(jobs, static_cast<int>(std::min<uint64_t>(units, 64)));
  int room = -1;
  FERRY_RETURN_IF_ERROR(loader->ConnectionRoom(&room));
  // This connection is already counted; one is left for others.
  if (room >= 0) jobs = std::min(jobs, room - 1);
  // Several workers sharing a user's lock bring its session: with it they must still fit, else
  // one worker (which holds the locks itself, no session beside) is all there is room for.
  if (room >= 0 && lock_session && jobs > 1) jobs = std::min(jobs, room - 2);
  return std::max(jobs, 1);
}

}  // namespace ferry

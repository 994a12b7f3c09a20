#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cstdlib>

namespace {

// The tests' own PostgreSQL sessions (setup, checks, and ferry's code called in this process)
// are named "ferry_tests" in the server's log. The ferry binary the end-to-end tests start does
// not inherit the name (tests/e2e/ferry_process.cc, e2e_util.cc drop it): its sessions are
// "ferry <command>" or "ferry run ...", the ones the co-location check reads
// (tools/colocation_check.py, docs/scale-out.md).
[[maybe_unused]] const bool kTestsNamed = setenv("PGAPPNAME", "ferry_tests", 1) == 0;

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>

#include <cstdio>

namespace {

// Sanitizer builds run a whole test file's cases in one process (tests/CMakeLists.txt,
// FERRY_CTEST_PER_FILE), and a sanitizer's report ends the process without Catch's summary:
// this says which test case was running. A fixed buffer: the callback runs in a dying process.
char running_test_case[1024];

void NameRunningTestCase() {
  if (running_test_case[0] != '\0') {
    std::fprintf(stderr, "ferry_tests: the sanitizer stopped the process in test case \"%s\"\n",
                 running_test_case);
  } else {
    // LeakSanitizer checks once, at exit: its report covers every case the process ran.
    std::fprintf(stderr,
                 "ferry_tests: the sanitizer stopped the process outside any test case (a leak "
                 "is found at exit: the allocation stack above names its code; to find its test "
                 "case, run the entry's cases one at a time)\n");
  }
}

class NameTestCaseForSanitizer : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo& info) override {
    TestEventListenerBase::testRunStarting(info);
    __sanitizer_set_death_callback(&NameRunningTestCase);
  }
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    TestEventListenerBase::testCaseStarting(info);
    std::snprintf(running_test_case, sizeof running_test_case, "%s", info.name.c_str());
  }
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    TestEventListenerBase::testCaseEnded(stats);
    running_test_case[0] = '\0';
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(NameTestCaseForSanitizer)
#endif

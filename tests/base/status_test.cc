// Status: named factories, ToString, WithContext, and the exit code of each kind of failure
// (PRODUCT.md "Exit codes": 2 usage or configuration, 4 another run holds the lock, 1 else).
#include "base/status.h"

#include <catch2/catch.hpp>

namespace ferry::status_test {

TEST_CASE("ExitCodeFor: a held lock exits 4, usage 2, other failures 1", "[base][status]") {
  CHECK(ExitCodeFor(Status::OK()) == 0);
  CHECK(ExitCodeFor(Status::Locked("user u1 is locked by run R")) == 4);
  CHECK(ExitCodeFor(Status::InvalidArgument("--limit: not a number")) == 2);
  for (const Status& failure :
       {Status::NotFound("x"), Status::Corruption("x"), Status::IOError("x"),
        Status::Unavailable("x"), Status::Rejected("x"), Status::Internal("x")}) {
    INFO(failure.ToString());
    CHECK(ExitCodeFor(failure) == 1);
  }
}

TEST_CASE("Status: Locked keeps its kind and message through WithContext", "[base][status]") {
  Status locked = Status::Locked("held by run R").WithContext("target t.db");
  CHECK(locked.IsLocked());
  CHECK(locked.message() == "target t.db: held by run R");
  CHECK(locked.ToString() == "Locked: target t.db: held by run R");
  CHECK(ExitCodeFor(locked) == 4);
}

}  // namespace ferry::status_test

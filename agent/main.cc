// ferry's entry point: the only place exceptions are caught for good.
#include <exception>
#include <iostream>

#include "agent/cli.h"

int main(int argc, char** argv) {
  try {
    return ferry::RunFerry(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ferry: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "ferry: internal error\n";
  }
  return 1;
}

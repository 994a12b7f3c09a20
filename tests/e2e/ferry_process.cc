#include "tests/e2e/ferry_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "tests/test_paths.h"

extern char** environ;

namespace ferry::e2e {

FerryProcess::FerryProcess(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv_text = {FERRY_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    std::string name = text.substr(0, text.find('='));
    // PGAPPNAME names the tests' own sessions (tests/test_main.cc), not ferry's.
    if (!env.count(name) && name != "PGAPPNAME") env_text.push_back(text);
  }
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string out = scratch_ / "stdout", err = scratch_ / "stderr";
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  started_ = std::chrono::steady_clock::now();
  int rc = posix_spawn(&pid_, FERRY_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  INFO("posix_spawn " << FERRY_BINARY << ": " << std::strerror(rc));
  REQUIRE(rc == 0);
}

FerryProcess::~FerryProcess() {
  if (pid_ > 0 && !ended_flag_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void FerryProcess::Reaped(int status) {
  ended_ = std::chrono::steady_clock::now();
  ended_flag_ = true;
  if (WIFSIGNALED(status)) {
    end_signal_ = WTERMSIG(status);
    exit_code_ = 128 + end_signal_;
  } else {
    exit_code_ = WEXITSTATUS(status);
  }
}

bool FerryProcess::Running() {
  if (ended_flag_) return false;
  int status = 0;
  pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) Reaped(status);
  return !ended_flag_;
}

void FerryProcess::Signal(int signal) {
  if (Running()) ::kill(pid_, signal);
}

namespace {

// The state letter of process `pid` (/proc/PID/stat), '?' when it cannot be read.
char ProcessState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

}  // namespace

bool FerryProcess::WaitStopped() {
  for (int i = 0; i < 6000 && Running(); ++i) {
    if (ProcessState(pid_) == 'T') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

CommandResult FerryProcess::Wait() {
  if (!ended_flag_) {
    int status = 0;
    pid_t done;
    do {
      done = ::waitpid(pid_, &status, 0);
    } while (done < 0 && errno == EINTR);
    REQUIRE(done == pid_);
    Reaped(status);
  }
  CommandResult result;
  result.exit_code = exit_code_;
  result.out = ReadFile(scratch_ / "stdout");
  result.err = ReadFile(scratch_ / "stderr");
  return result;
}

std::string Describe(const CommandResult& run) {
  return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "stderr:\n" + run.err;
}

CommandResult RunFerryToEnd(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env) {
  FerryProcess process(args, env);
  return process.Wait();
}

}  // namespace ferry::e2e

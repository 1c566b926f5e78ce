// Finding and ending the processes of one run. A run is its process group (the script is the
// group leader) plus any process that carries the run's marker in its environment
// (AUTOKAGGLE_RUN_TOKEN=<token>), which also catches children that left the group with setsid().
// Everything here reads /proc, so it is Linux-only, like the plugin.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::local_runner {

/// The environment variable every process of a run inherits.
inline constexpr std::string_view kRunTokenVariable = "AUTOKAGGLE_RUN_TOKEN";

/// The fields of /proc/<pid>/stat the runner needs.
struct ProcessStat {
    pid_t pid = 0;
    char state = '?';                    ///< 'R', 'S', 'Z'...
    pid_t ppid = 0;
    pid_t pgrp = 0;
    unsigned long long start_time = 0;   ///< clock ticks after boot: (pid, start_time) names a process uniquely per boot
};

/// The stat of a process, or nullopt when it does not exist (or is unreadable).
std::optional<ProcessStat> read_process_stat(pid_t pid);

/// /proc/sys/kernel/random/boot_id: pids and start times only mean something within one boot.
std::string boot_id();

/// A fresh random marker for a run (32 hex digits).
std::string make_run_token();

/// Live (not zombie) processes that belong to the run: members of process group `pgid` (when
/// pgid > 0) and processes whose environment carries `token` (when not empty). `exclude` is
/// left out (the caller itself).
std::vector<pid_t> live_run_processes(pid_t pgid, std::string_view token, pid_t exclude = 0);

/// Sends `sig` to the group (when pgid > 0) and to every listed process.
void signal_processes(pid_t pgid, const std::vector<pid_t>& pids, int sig);

/// Ends a run: SIGTERM to everything found, waits up to `grace` for it to go (calling
/// `while_waiting` about every 50 ms, e.g. to drain output pipes), then SIGKILL to whatever is
/// left and waits (up to 5 s) until nothing is found. `find` lists what is still alive.
/// Returns true when SIGKILL was needed.
bool end_processes(const std::function<std::vector<pid_t>()>& find, pid_t pgid, std::chrono::milliseconds grace,
                   const std::function<void()>& while_waiting);

/// "SIGSEGV" for 11, "signal 77" for unknown numbers.
std::string signal_name(int sig);

}  // namespace autokaggle::local_runner

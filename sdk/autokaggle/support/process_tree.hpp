// Finding and ending a tree of processes on Linux, by what /proc says: process groups, parent
// links, an environment marker, a cgroup v2, and the orphans a subreaper adopts. The process
// module (process.hpp) ends its children through these; the local runner also uses them to
// find what an earlier orchestrator left. docs/runner-local.md says which mechanism is used when.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::process {

/// The fields of /proc/<pid>/stat the tree functions need.
struct ProcessStat {
    pid_t pid = 0;
    char state = '?';                    ///< 'R', 'S', 'Z'...
    pid_t ppid = 0;
    pid_t pgrp = 0;
    pid_t session = 0;
    unsigned long long start_time = 0;   ///< clock ticks after boot: (pid, start_time) names a process uniquely per boot
    bool live() const { return state != 'Z' && state != 'X'; }
};

/// The stat of a process, or nullopt when it does not exist (or is unreadable).
std::optional<ProcessStat> read_process_stat(pid_t pid);

/// Every process /proc lists right now.
std::vector<ProcessStat> all_processes();

/// /proc/sys/kernel/random/boot_id: pids and start times only mean something within one boot.
std::string boot_id();

/// A fresh random marker (32 hex digits).
std::string random_token();

/// One process, named so that a recycled pid is never mistaken for it.
struct ProcessIdentity {
    pid_t pid = 0;
    unsigned long long start_time = 0;
    /// The identity of a running process, or nullopt when it is gone.
    static std::optional<ProcessIdentity> of(pid_t pid);
    /// Still the same process, and not a zombie.
    bool alive() const;
    /// Sends `sig` when still the same process; false when it is gone.
    bool signal(int sig) const;
};

/// What belongs to a tree. Every member is optional; the members found are the union.
struct TreeScope {
    pid_t leader = 0;                 ///< the tree's first process (0: none)
    pid_t group = 0;                  ///< a process group id whose members belong (0: none)
    bool descendants = true;          ///< processes below the leader by parent links
    /// Processes below this process other than `exclude`: right only in a process that runs one
    /// tree and is a subreaper (become_subreaper()), so that orphans re-parent to it.
    bool adopted = false;
    std::string marker;               ///< "NAME=VALUE" in a process's environment makes it a member
    std::filesystem::path cgroup;     ///< a cgroup v2 folder: every process in it is a member
    std::vector<pid_t> exclude;       ///< never members (e.g. the caller's other children)
};

/// The live members of a tree (the calling process itself never counts).
std::vector<ProcessIdentity> find_tree(const TreeScope& scope);

/// A tree's members over time: a process found once stays a member while it lives (same pid and
/// start time), so one that leaves the group or loses its parent after the first look is still
/// ended.
class TreeMembers {
public:
    explicit TreeMembers(TreeScope scope) : scope_(std::move(scope)) {}
    TreeScope& scope() { return scope_; }
    /// The live members: found now, or found before and still alive.
    std::vector<ProcessIdentity> refresh();
    /// `sig` to the group (when set) and to `members`; SIGKILL also writes cgroup.kill.
    void signal(const std::vector<ProcessIdentity>& members, int sig) const;
    /// SIGTERM to every member, up to `grace` for them to go (calling `while_waiting` about
    /// every 50 ms, e.g. to drain pipes or reap), then SIGKILL to whatever is left, repeated
    /// until nothing is found (at most 5 s). True when SIGKILL was needed.
    bool end(std::chrono::milliseconds grace, const std::function<void()>& while_waiting = nullptr);

private:
    TreeScope scope_;
    std::vector<std::pair<pid_t, unsigned long long>> known_;
};

/// TreeMembers(scope).end(grace, while_waiting).
bool end_tree(const TreeScope& scope, std::chrono::milliseconds grace,
              const std::function<void()>& while_waiting = nullptr);

/// Sends `sig` to the group (when set) and every member found now; returns what was found.
std::vector<ProcessIdentity> signal_tree(const TreeScope& scope, int sig);

/// Makes this process the reaper of orphans below it (PR_SET_CHILD_SUBREAPER). Throws
/// autokaggle::Error when the kernel refuses.
void become_subreaper();

/// Reaps the exited children of this process other than `keep` (orphans a subreaper adopted).
void reap_adopted(pid_t keep);

/// "SIGSEGV" for 11, "signal 77" for unknown numbers.
std::string signal_name(int sig);

}  // namespace autokaggle::process

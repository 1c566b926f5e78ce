// A cgroup v2 for one tree of processes. Membership is inherited by every process the tree
// starts and cannot be left without write access to another cgroup, so a cgroup finds and ends
// (cgroup.kill) daemons that changed session and cleared their environment. With the memory
// controller delegated it also caps the resident memory of the whole tree and counts OOM kills.
// It needs a cgroup v2 hierarchy where this process may create a child of its own cgroup (root
// in a container or VM, or a systemd unit with Delegate=yes); otherwise try_create says why not.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace autokaggle::process {

class Cgroup {
public:
    /// Creates <this process's cgroup>/autokaggle-<name>, with memory.max = `memory_bytes` when
    /// that is > 0 and the memory controller is available. Returns nullptr and sets `why_not`
    /// when no cgroup can be created. `memory_note` is set when the cgroup exists but cannot cap
    /// memory (the controller is not delegated).
    static std::unique_ptr<Cgroup> try_create(std::string_view name, long long memory_bytes, std::string& why_not,
                                              std::string& memory_note);
    /// Adopts an existing cgroup folder (after a restart).
    explicit Cgroup(std::filesystem::path dir);
    /// Removes the folder (it must be empty by then; a failure is ignored).
    ~Cgroup();
    Cgroup(const Cgroup&) = delete;
    Cgroup& operator=(const Cgroup&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    /// cgroup.procs: a child writes "0" into it before exec to join.
    const std::string& procs_file() const { return procs_file_; }
    bool caps_memory() const { return caps_memory_; }
    /// The oom_kill counter of memory.events (0 when unreadable).
    long long oom_kills() const;

private:
    std::filesystem::path dir_;
    std::string procs_file_;
    bool caps_memory_ = false;
};

}  // namespace autokaggle::process

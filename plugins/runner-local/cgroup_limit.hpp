// An optional cgroup v2 memory limit for one run. RLIMIT_AS caps each process's address space
// separately; a cgroup caps the resident memory of the whole process tree together and reports
// OOM kills. It needs a cgroup v2 hierarchy whose memory controller is delegated to this
// process's cgroup (systemd user slices with Delegate=yes, or root on a cgroup v2 host); when
// that is not the case the runner works without it and says why.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace autokaggle::local_runner {

class CgroupLimit {
public:
    /// Creates <this process's cgroup>/autokaggle-<token> with memory.max = `memory_bytes`, or
    /// returns nullptr and sets `why_not` to the reason it is not available.
    static std::unique_ptr<CgroupLimit> try_create(std::string_view token, long long memory_bytes,
                                                   std::string& why_not);
    /// Removes the cgroup (it must be empty by then; a failure is ignored).
    ~CgroupLimit();
    CgroupLimit(const CgroupLimit&) = delete;
    CgroupLimit& operator=(const CgroupLimit&) = delete;

    /// cgroup.procs of the run's cgroup: the child writes "0" into it before exec.
    const std::string& procs_file() const { return procs_file_; }
    const std::filesystem::path& dir() const { return dir_; }
    /// The oom_kill counter of memory.events (0 when unreadable).
    long long oom_kills() const;

    /// Adopts an existing cgroup folder (use try_create).
    explicit CgroupLimit(std::filesystem::path dir);

private:
    std::filesystem::path dir_;
    std::string procs_file_;
};

}  // namespace autokaggle::local_runner

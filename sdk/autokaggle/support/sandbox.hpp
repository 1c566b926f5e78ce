// The sandbox for code a model wrote (experiments, scratch Python): bubblewrap with a fresh root
// that holds only what is bound into it. The system (/usr, the loader's files under /etc) and
// the interpreter's installation are read-only, the round folder is writable, the rest of the
// workspace and the data are read-only, the held-out answers and the user's home are not there
// at all, and there is no network unless allowed. New user, pid, IPC, UTS and cgroup
// namespaces; no capabilities; the sandbox ends with the process that started it.
// Implemented in libautokaggle-runner (AutoKaggle::runner).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace autokaggle {

struct SandboxMount {
    enum class Access {
        read_only,
        read_write,
        hidden,  ///< an empty file or folder over a path that something bound above would show
    };
    std::filesystem::path path;  ///< the same path inside as outside
    Access access = Access::read_only;
};

struct SandboxSpec {
    std::filesystem::path bwrap;       ///< the bubblewrap program (check_sandbox().program)
    std::vector<SandboxMount> mounts;  ///< any order: deeper paths are mounted over shallower ones
    std::filesystem::path cwd;         ///< empty: /
    bool network = false;              ///< keep the host's network
};

/// The command-line prefix that runs a command inside the sandbox: append the command's argv.
/// Paths that do not exist are skipped.
std::vector<std::string> sandbox_argv(const SandboxSpec& spec);

/// The folders an interpreter needs besides /usr: the installation it belongs to (a virtualenv,
/// /opt/conda, ~/.pyenv/versions/x) by its path and by its real path; empty for one in /usr.
std::vector<std::filesystem::path> interpreter_installation(const std::filesystem::path& python);

/// Whether the sandbox can be used here.
struct SandboxCheck {
    bool usable = false;
    std::filesystem::path program;  ///< bwrap, when found
    std::string why_not;            ///< "bwrap is not installed (Debian: apt-get install bubblewrap)", or what it printed
};

/// Finds bwrap and starts /bin/true in a minimal sandbox with every namespace the real one uses.
SandboxCheck check_sandbox();

}  // namespace autokaggle

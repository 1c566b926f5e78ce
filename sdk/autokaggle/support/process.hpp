// The one way the project starts a child process (after LLVM's Support/Program.h): argv, working
// folder, an explicit environment, where stdout and stderr go, its own process group or session,
// a parent-death signal, a timeout, a stop callback, TERM then a grace period then KILL to the
// whole tree, and an exec failure reported with its errno and the step that failed. Nothing else
// in the project calls fork, exec or Boost.Process. Linux only, like the rest of the project.
#pragma once

#include <autokaggle/support/process_tree.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::process {

/// A child's environment, explicit: what is set here is all the child sees.
class Environment {
public:
    Environment() = default;
    /// A copy of this process's environment.
    static Environment inherited();

    void set(const std::string& name, const std::string& value);
    void unset(const std::string& name);
    std::optional<std::string> get(const std::string& name) const;
    const std::map<std::string, std::string>& variables() const { return variables_; }
    /// "NAME=VALUE" strings, for execve.
    std::vector<std::string> entries() const;

    /// Without any variable that looks like a secret (looks_like_secret).
    Environment without_secrets() const;
    /// What code written by a model may see: PATH, HOME, USER, LOGNAME, SHELL, TERM, TZ, TMPDIR,
    /// LANG, LANGUAGE, LC_*, Python's own variables (PYTHON*, VIRTUAL_ENV, CONDA_*), the dynamic
    /// loader and GPU selection (LD_LIBRARY_PATH, CUDA_*, NVIDIA_*), thread counts (OMP_*, MKL_*,
    /// OPENBLAS_*, NUMEXPR_*, *_NUM_THREADS ...), AUTOKAGGLE_*, and the names in `also_allowed`;
    /// then without secrets, whatever the allow-list says.
    Environment for_generated_code(const std::vector<std::string>& also_allowed = {}) const;

private:
    std::map<std::string, std::string> variables_;
};

/// True for names of credentials: *_KEY, *_TOKEN, *_SECRET, *PASSWORD*, *CREDENTIAL*, API keys,
/// KAGGLE_USERNAME, AWS_*, case-insensitive and camelCase alike ("openaiApiKey").
bool looks_like_secret(std::string_view name);

/// Where a child's stdout or stderr goes.
struct Output {
    enum class Kind {
        inherit,    ///< this process's stream
        null,       ///< /dev/null
        capture,    ///< kept in memory (ChildProcess::out() / err())
        file,       ///< a file, truncated or appended
        sink,       ///< handed to a function as it arrives, from poll() and wait()
        to_stdout,  ///< stderr only: wherever stdout goes, as one stream in order
    };
    Kind kind = Kind::inherit;
    std::filesystem::path path;
    bool append = false;
    std::function<void(std::string_view)> receive;

    static Output inherit() { return {}; }
    static Output null() { return {Kind::null, {}, false, nullptr}; }
    static Output capture() { return {Kind::capture, {}, false, nullptr}; }
    static Output file(std::filesystem::path path, bool append = false) {
        return {Kind::file, std::move(path), append, nullptr};
    }
    static Output sink(std::function<void(std::string_view)> receive) {
        return {Kind::sink, {}, false, std::move(receive)};
    }
    static Output to_stdout() { return {Kind::to_stdout, {}, false, nullptr}; }
};

enum class Grouping {
    inherit,        ///< stays in this process's group (a terminal's Ctrl-C reaches it)
    process_group,  ///< leads its own group: ending it signals the group
    session,        ///< leads its own session (setsid): detached from any terminal
};

/// Runs in the child between fork and exec. Only async-signal-safe calls (open, write, setrlimit
/// ...; no allocation). Returns 0, or an errno with `what` pointing at a string literal that
/// names the step ("setrlimit(RLIMIT_AS)"); the start then fails with both.
using PreExecHook = std::function<int(const char*& what)>;

struct ProcessSpec {
    std::vector<std::string> argv;          ///< argv[0]: a path, or a name found on PATH
    std::filesystem::path cwd;              ///< empty: this process's
    std::optional<Environment> env;         ///< nullopt: this process's environment
    bool stdin_null = true;                 ///< false: inherit this process's stdin
    Output out, err;
    Grouping grouping = Grouping::process_group;
    std::optional<int> death_signal;        ///< PR_SET_PDEATHSIG: sent when the starting thread ends
    std::chrono::milliseconds timeout{0};   ///< 0: none; then the tree is ended and timed_out set
    /// Polled about every 100 ms while waiting; true ends the tree (stopped set).
    std::function<bool()> should_stop;
    std::chrono::milliseconds kill_grace{3000};  ///< between SIGTERM and SIGKILL
    PreExecHook pre_exec;
    /// What ending the child takes along besides it: its group (with its own group or session)
    /// and its descendants always; these add a marker, a cgroup and a subreaper's orphans.
    bool end_adopted = false;               ///< see TreeScope::adopted
    std::string tree_marker;                ///< see TreeScope::marker
    std::filesystem::path tree_cgroup;      ///< see TreeScope::cgroup
    /// When the child exits by itself, end whatever it left running in its tree too.
    bool end_leftovers = true;
};

/// How a child ended.
struct ExitStatus {
    std::optional<int> exit_code;  ///< set when it exited
    std::optional<int> signal;     ///< set when a signal ended it
    bool timed_out = false;        ///< ended by us after ProcessSpec::timeout
    bool stopped = false;          ///< ended by us because should_stop() turned true, or end()
    bool killed = false;           ///< SIGKILL was needed to end the tree
    double seconds = 0;

    /// "exit code 3", "killed by SIGSEGV", "timed out after 30 s (process tree ended)" ...
    std::string describe(std::chrono::milliseconds timeout = {}) const;
};

/// A started child. Destroying a running one ends its tree (TERM, grace, KILL) and reaps it, so
/// no path, an exception included, leaves a process behind. Use from one thread at a time.
class ChildProcess {
public:
    /// Starts the child. Throws autokaggle::Error naming the program, the folder, the step that
    /// failed and the OS error ("cannot start /x/y in /z: exec: No such file or directory").
    static ChildProcess start(ProcessSpec spec);

    ChildProcess(ChildProcess&&) noexcept;
    ChildProcess& operator=(ChildProcess&&) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const;
    /// Reads what arrived, applies the timeout and should_stop, and waits at most `max_wait` for
    /// the end. The status once the child has exited, its leftovers are ended (end_leftovers)
    /// and its output is read; nullopt while it runs.
    std::optional<ExitStatus> poll(std::chrono::milliseconds max_wait = std::chrono::milliseconds(0));
    /// Blocks until the end (the timeout and should_stop still apply).
    ExitStatus wait();
    /// Ends the tree now (SIGTERM, kill_grace, SIGKILL), reaps the child and returns its status
    /// (stopped set unless it had already ended by itself).
    ExitStatus end();
    /// Gives the child up without ending it (it must not be waited for by anyone else). Only for
    /// a detached child that outlives this object; the caller reaps it (reap_adopted) or lets it
    /// be re-parented when this process ends.
    void release();

    /// Captured output (Output::capture).
    const std::string& out() const;
    const std::string& err() const;

private:
    struct State;
    explicit ChildProcess(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

/// Captured output and status of a child run to its end.
struct Completed {
    ExitStatus status;
    std::string out, err;
};

/// Starts `spec` with stdout and stderr captured (unless the spec routes them elsewhere) and
/// waits for the end.
Completed run(ProcessSpec spec);

/// `name` itself when it holds a slash and is an executable file; otherwise the first
/// executable `name` in the folders of `search_path` (colon-separated; empty entries mean the
/// current folder; nullopt: $PATH, or /usr/local/bin:/usr/bin:/bin when unset). Absolute.
std::optional<std::filesystem::path> find_executable(std::string_view name,
                                                     std::optional<std::string> search_path = std::nullopt);

/// The project's supervisor program, autokaggle-supervise (docs/runner-local.md): next to the
/// running executable, then in the bin folder of the installation (or build tree) this library
/// belongs to, then on PATH. nullopt when none is found; `tried` lists every place looked at.
std::optional<std::filesystem::path> supervisor_program(std::vector<std::filesystem::path>* tried = nullptr);

}  // namespace autokaggle::process

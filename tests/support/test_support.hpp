// Shared by every test suite: temporary folders, source/build paths, running the CLI and other
// real processes with captured output.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace autokaggle::test {

namespace fs = std::filesystem;

/// A fresh folder under the system temp dir, removed on destruction unless the test failed
/// (then it stays, and its path is printed, for a look at what went wrong).
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "autokaggle-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const fs::path& rel) const { return path_ / rel; }

private:
    fs::path path_;
};

fs::path source_dir();       ///< the repository root
fs::path binary_dir();       ///< the CMake build folder
fs::path bin_dir();          ///< build/bin (autokaggle, tests)
fs::path plugin_dir();       ///< build/lib/autokaggle/plugins
fs::path test_plugin_dir();  ///< build/tests/fixture-plugins (one folder each)
/// competitions/<name> of the repository (data/, answers.csv, competition.json); BOOST_FAIL when missing
fs::path competition_dir(const std::string& name);
/// Copies the shipped competition `name` that carries a config.json (pima-diabetes) into
/// `workspace`, and its answers.csv into <workspace>-heldout beside it (outside the workspace, as
/// the local submitter requires), pointing the copied config.json there. Returns `workspace`.
fs::path copy_competition_workspace(const std::string& name, const fs::path& workspace);
fs::path cli();              ///< build/bin/autokaggle
/// An interpreter with numpy/pandas/sklearn: $AUTOKAGGLE_PYTHON, else /usr/bin/python3.
fs::path python();

void write_text(const fs::path& path, const std::string& text);
std::string read_text(const fs::path& path);

struct ProcessResult {
    int exit_code = -1;       ///< -1 when killed by a signal or timed out
    int signal = 0;
    bool timed_out = false;
    std::string out, err;
};

/// Runs a real process (argv[0] is a path) with extra environment, capturing stdout and stderr,
/// killing it after `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& cwd = {},
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(120));

/// `autokaggle <args...>` from the build tree.
ProcessResult run_cli(const std::vector<std::string>& args, const fs::path& cwd = {},
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::seconds timeout = std::chrono::seconds(120));

/// True while a process with this pid exists (and is not a zombie).
bool process_alive(int pid);

/// Pids of live processes whose command line (arguments joined by spaces) contains `part`; finds
/// processes whose pid the test cannot know (in a sandbox's pid namespace, or daemons).
std::vector<int> processes_running(const std::string& part);

}  // namespace autokaggle::test

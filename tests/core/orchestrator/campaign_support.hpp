// Campaign workspaces for the orchestrator's tests: a tiny regression competition (mae), the
// scripted fixture agents, the ledger submitter, and helpers to run `autokaggle` in the
// foreground or as a child process that can be signalled.
#pragma once

#include "orchestrator/results.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orchtest {

namespace fs = std::filesystem;
namespace json = boost::json;

/// The default config.json of a test campaign (12 rounds, retro every 10, re-spawn every 5).
json::object default_config();

/// Writes data/, config.json (default_config() with `overrides` replacing top-level keys) and
/// script.json into `root`.
void make_workspace(const fs::path& root, const json::object& script, const json::object& overrides = {});

autokaggle::test::ProcessResult run(const fs::path& root, std::vector<std::string> extra = {});
autokaggle::test::ProcessResult status_of(const fs::path& root, std::vector<std::string> extra = {});

/// `autokaggle run ROOT extra...` as a child process, output to ROOT/../<name>.out/.err.
class Child {
public:
    Child(const fs::path& root, std::vector<std::string> extra = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    pid_t pid() const { return pid_; }
    /// Waits for the end; returns the exit code, or -signal when killed by one.
    int wait();
    /// Non-blocking: true once it ended (the status is then available from wait()).
    bool finished();
    void signal(int signo);
    std::string err() const;

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    fs::path err_file_;
};

std::vector<autokaggle::ResultRow> results(const fs::path& root);
json::object state(const fs::path& root);
json::array ledger(const fs::path& root);
std::string text(const fs::path& file);
bool contains(const std::string& haystack, const std::string& needle);
/// results.tsv without the timestamp column (for comparing runs).
std::string results_without_timestamps(const fs::path& root);
/// A content hash of a file (std::hash of its bytes, as hex), "" when missing.
std::string file_hash(const fs::path& file);

}  // namespace orchtest

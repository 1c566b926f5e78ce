// Shared by the dashboard's tests: campaign workspaces, processes running in the background
// (`autokaggle serve`, `autokaggle run`), and plain HTTP requests sent exactly as written.
#pragma once

#include "support/test_support.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dashtest {

namespace fs = std::filesystem;

/// A workspace with the shipped Pima competition's config and data (no campaign run yet).
void make_campaign(const fs::path& root);

/// make_campaign, three rounds in: state.json, results.tsv (an eda row, a submitted round, a
/// killed one, a verified one), experiments.json with a correlation, blends/blend.json, and
/// round files (plan, review, script; an OOF file and a submission that are never served).
void record_campaign(const fs::path& root);

/// A process started in its own process group (this process's environment), output to files;
/// killed with its group when destroyed.
class Background {
public:
    Background(const std::vector<std::string>& argv, const fs::path& log_prefix);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    pid_t pid() const { return pid_; }
    std::string out() const;
    std::string err() const;
    /// Waits until stdout holds `text`; BOOST_FAILs with both outputs after `timeout`.
    std::string wait_for_output(const std::string& text, std::chrono::seconds timeout);
    /// Sends a signal to the process group.
    void signal(int signo);
    /// Waits for the end: the exit code, or -signal; nullopt after `timeout`.
    std::optional<int> wait(std::chrono::seconds timeout);

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    fs::path out_file_, err_file_;
};

/// `autokaggle serve <args> --port 0` in the background, with the port it printed.
struct ServeProcess {
    std::unique_ptr<Background> process;
    unsigned short port = 0;
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
};
ServeProcess start_serve(const std::vector<std::string>& args, const fs::path& log_prefix);

struct HttpAnswer {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;
};

/// One GET over a new connection to 127.0.0.1:port, the target sent byte for byte (no
/// normalisation of "..", no re-encoding).
HttpAnswer http_get(unsigned short port, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return condition();
}

}  // namespace dashtest

#include "support/test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace autokaggle::test {

namespace {

/// Each test program gets a data home of its own (XDG_DATA_HOME, inherited by every process it
/// starts), so no test reads or writes the user's learnings store (docs/learnings.md) and every
/// program starts from the shipped starter rules.
class PrivateDataHome {
public:
    PrivateDataHome() : dir_(fs::temp_directory_path() / ("autokaggle-test-data-" + std::to_string(::getpid()))) {
        std::error_code ec;
        fs::create_directories(dir_, ec);
        ::setenv("XDG_DATA_HOME", dir_.c_str(), 1);
    }
    ~PrivateDataHome() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    PrivateDataHome(const PrivateDataHome&) = delete;
    PrivateDataHome& operator=(const PrivateDataHome&) = delete;

private:
    fs::path dir_;
};

const PrivateDataHome private_data_home;

}  // namespace

TempDir::TempDir(const std::string& prefix) {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path candidate = fs::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
        if (fs::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir() {
    namespace ut = boost::unit_test;
    bool failed = false;
    try {
        auto id = ut::framework::current_test_case().p_id;
        failed = !ut::results_collector.results(id).passed();
    } catch (...) {
    }
    if (failed) {
        BOOST_TEST_MESSAGE("kept for inspection: " << path_);
        return;
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path source_dir() { return AUTOKAGGLE_SOURCE_DIR; }
fs::path binary_dir() { return AUTOKAGGLE_BINARY_DIR; }
fs::path bin_dir() { return AUTOKAGGLE_BIN_DIR; }
fs::path plugin_dir() { return AUTOKAGGLE_PLUGIN_DIR; }
fs::path test_plugin_dir() { return AUTOKAGGLE_TEST_PLUGIN_DIR; }
fs::path cli() { return bin_dir() / "autokaggle"; }

fs::path competition_dir(const std::string& name) {
    const fs::path dir = source_dir() / "competitions" / name;
    if (!fs::is_regular_file(dir / "competition.json"))
        BOOST_FAIL("no shipped competition '" << name << "' at " << dir << " (competition.json missing)");
    return dir;
}

fs::path copy_competition_workspace(const std::string& name, const fs::path& workspace) {
    const fs::path from = competition_dir(name);
    fs::create_directories(workspace);
    for (const auto& e : fs::directory_iterator(from))
        if (e.path().filename() != "answers.csv") fs::copy(e.path(), workspace / e.path().filename(), fs::copy_options::recursive);
    const fs::path held_out = workspace.parent_path() / (workspace.filename().string() + "-heldout");
    fs::create_directories(held_out);
    fs::copy_file(from / "answers.csv", held_out / "answers.csv", fs::copy_options::overwrite_existing);
    boost::json::object config = boost::json::parse(read_text(workspace / "config.json")).as_object();
    config["submitter"] = boost::json::object{
        {"plugin", "local"},
        {"options", boost::json::object{{"answers", "../" + held_out.filename().string() + "/answers.csv"}}}};
    write_text(workspace / "config.json", boost::json::serialize(config));
    return workspace;
}

fs::path python() {
    if (const char* p = std::getenv("AUTOKAGGLE_PYTHON"); p && *p) return p;
    return "/usr/bin/python3";
}

void write_text(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

namespace {
void drain(int fd, std::string& into, bool& open) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) into.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || (errno != EINTR && errno != EAGAIN)) open = false;
}
}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& cwd,
                          const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        std::string entry = *e;
        std::string key = entry.substr(0, entry.find('='));
        if (!env.count(key)) env_strings.push_back(entry);
    }
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(126);
        ::execve(args[0], args.data(), envp.data());
        _exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ProcessResult result;
    bool out_open = true, err_open = true;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out_open || err_open) {
        pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
        int left_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           deadline - std::chrono::steady_clock::now()).count());
        if (left_ms <= 0) {
            result.timed_out = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        int rc = ::poll(fds, 2, std::min(left_ms, 500));
        if (rc < 0 && errno != EINTR) break;
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP))) drain(out_pipe[0], result.out, out_open);
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP))) drain(err_pipe[0], result.err, err_open);
    }
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

ProcessResult run_cli(const std::vector<std::string>& args, const fs::path& cwd,
                      const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
    std::vector<std::string> argv{cli().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, cwd, env, timeout);
}

bool process_alive(int pid) {
    if (::kill(pid, 0) != 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    std::getline(stat, content);
    auto close = content.rfind(')');
    return close == std::string::npos || content.size() < close + 3 || content[close + 2] != 'Z';
}

std::vector<int> processes_running(const std::string& part) {
    std::vector<int> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline");  // the process may be gone meanwhile
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        const int pid = std::stoi(name);
        if (cmdline.find(part) != std::string::npos && process_alive(pid)) found.push_back(pid);
    }
    return found;
}

}  // namespace autokaggle::test

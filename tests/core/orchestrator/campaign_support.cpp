#include "campaign_support.hpp"

#include "base/atomic_file.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace orchtest {
namespace test = autokaggle::test;

json::object default_config() {
    json::array dirs;
    for (const char* p : {"agent-scripted", "submitter-ledger", "scraper-scripted"})
        dirs.push_back(json::value((test::test_plugin_dir() / p).string()));
    return json::object{
        {"competition", "fixture-regression"},
        {"task_type", "regression"},
        {"metric", "mae"},
        {"metric_direction", "lower"},
        {"target_column", "target"},
        {"id_column", "id"},
        {"cv_strategy", "KFold"},
        {"cv_folds", 5},
        {"deadline", "2099-12-31"},
        {"max_submissions_per_day", 5},
        {"python", test::python().string()},
        {"seed", 42},
        {"budget", json::object{{"max_rounds", 12}}},
        {"orchestrator", json::object{{"retro_every", 10}, {"respawn_every", 5}, {"min_improvement", 0.005}}},
        {"agents", json::object{{"researcher", json::object{{"plugin", "scripted"}}},
                                {"builder", json::object{{"plugin", "scripted"}}},
                                {"reviewer", json::object{{"plugin", "scripted"}}}}},
        {"submitter", json::object{{"plugin", "ledger"}}},
        {"scraper", json::object{{"plugin", "scripted"}}},
        {"runner", json::object{{"plugin", "local"}}},
        {"plugin_dirs", dirs},
        // A store per workspace: campaigns compared with each other start from the same rules.
        {"learnings_store", "learnings-store.md"},
    };
}

void make_workspace(const fs::path& root, const json::object& script, const json::object& overrides) {
    fs::create_directories(root / "data");
    std::ostringstream train, test_csv, sample;
    train << "id,x,target\n";
    for (int i = 0; i < 40; ++i) train << i << "," << i * 0.25 << "," << (i % 7) * 0.5 + i * 0.1 << "\n";
    test_csv << "id,x\n";
    sample << "id,target\n";
    for (int i = 0; i < 20; ++i) {
        test_csv << 100 + i << "," << i * 0.3 << "\n";
        sample << 100 + i << ",0.0\n";
    }
    test::write_text(root / "data" / "train.csv", train.str());
    test::write_text(root / "data" / "test.csv", test_csv.str());
    test::write_text(root / "data" / "sample_submission.csv", sample.str());
    json::object config = default_config();
    for (const auto& kv : overrides) config[kv.key()] = kv.value();
    test::write_text(root / "config.json", json::serialize(config));
    test::write_text(root / "script.json", json::serialize(script));
}

test::ProcessResult run(const fs::path& root, std::vector<std::string> extra) {
    std::vector<std::string> args{"run", root.string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_cli(args, {}, {}, std::chrono::seconds(240));
}

test::ProcessResult status_of(const fs::path& root, std::vector<std::string> extra) {
    std::vector<std::string> args{"status", root.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_cli(args);
}

Child::Child(const fs::path& root, std::vector<std::string> extra) {
    err_file_ = root.parent_path() / (root.filename().string() + ".child.err");
    std::vector<std::string> args{test::cli().string(), "run", root.string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int out = ::open((root.parent_path() / (root.filename().string() + ".child.out")).c_str(),
                           O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err = ::open(err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    BOOST_REQUIRE(out >= 0 && err >= 0);
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(err);
}

Child::~Child() {
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

int Child::wait() {
    if (!status_) {
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
        status_ = st;
    }
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -WTERMSIG(*status_);
}

bool Child::finished() {
    if (status_) return true;
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) status_ = st;
    return status_.has_value();
}

void Child::signal(int signo) { ::kill(pid_, signo); }

std::string Child::err() const { return autokaggle::read_file_if_exists(err_file_).value_or(""); }

std::vector<autokaggle::ResultRow> results(const fs::path& root) {
    return autokaggle::read_results(root / "results.tsv", {}).rows;
}

json::object state(const fs::path& root) { return json::parse(test::read_text(root / "state.json")).as_object(); }

json::array ledger(const fs::path& root) {
    const auto t = autokaggle::read_file_if_exists(root / "ledger.json");
    if (!t) return {};
    return json::parse(*t).as_object().at("submissions").as_array();
}

std::string text(const fs::path& file) { return autokaggle::read_file_if_exists(file).value_or(""); }

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string results_without_timestamps(const fs::path& root) {
    std::ostringstream os;
    for (const auto& r : results(root)) {
        os << r.round << '|' << r.script << '|' << r.cv_score << '|' << r.lb << '|' << r.status << '|' << r.submitted << '|'
           << r.description << "\n";
    }
    return os.str();
}

std::string file_hash(const fs::path& file) {
    const auto t = autokaggle::read_file_if_exists(file);
    if (!t) return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%zx-%zu", std::hash<std::string>{}(*t), t->size());
    return buf;
}

}  // namespace orchtest

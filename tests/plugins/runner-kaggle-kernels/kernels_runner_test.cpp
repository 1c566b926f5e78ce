// The kaggle-kernels runner against a loopback fake of Kaggle's kernels routes (SaveKernel,
// GetKernelSessionStatus, ListKernelSessionOutput) and a second loopback server standing for
// the storage host of output files. The fake's "kernel" is a real Python process running the
// launcher the runner pushed, with the competition data and working folders moved into the
// test's folder, so what runs is exactly what would run on Kaggle.
#define BOOST_TEST_MODULE runner_kaggle_kernels_fake
#include "support/fake_server.hpp"
#include "support/test_support.hpp"

#include "kernels_runner.hpp"
#include "base/atomic_file.hpp"
#include "base/plugin_host.hpp"
#include "runner/experiment_runner.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace autokaggle;
using namespace autokaggle::kaggle_kernels;
using autokaggle::test::FakeResponse;
using autokaggle::test::FakeServer;
using autokaggle::test::RecordedRequest;
using autokaggle::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kUser = "alice";
constexpr const char* kSecret = "kk-secret-key-0123456789";
constexpr const char* kCompetition = "kk-test";
const std::string kRoute = "/v1/kernels.KernelsApiService/";

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

/// Kaggle's kernels routes backed by real processes. One kernel at a time, as a test needs.
class FakeKernels {
public:
    struct Settings {
        int queued_polls = 1;              ///< status calls answered QUEUED before the kernel starts
        std::string save_error;            ///< SaveKernel's `error` on HTTP 200
        std::string failure_message = "Your notebook hit an unhandled error while executing";
        int status_http_error = 0;         ///< when set, every status call fails with this HTTP status
        bool log_as_file = false;          ///< the log as a "<name>.log" output file, no "log" field
    };

    FakeKernels(const fs::path& root, Settings settings) : root_(root), settings_(std::move(settings)) {
        fs::create_directories(root_ / "input" / kCompetition);
        api.route("POST", kRoute + "SaveKernel", [this](const RecordedRequest& r) { return save(r); });
        api.route("POST", kRoute + "GetKernelSessionStatus", [this](const RecordedRequest& r) { return status(r); });
        api.route("POST", kRoute + "ListKernelSessionOutput", [this](const RecordedRequest& r) { return output(r); });
        storage.fallback([this](const RecordedRequest& r) { return blob(r); });
    }
    ~FakeKernels() {
        if (worker_.joinable()) worker_.join();
    }
    FakeKernels(const FakeKernels&) = delete;
    FakeKernels& operator=(const FakeKernels&) = delete;

    fs::path input() const { return root_ / "input" / kCompetition; }
    fs::path working() const { return root_ / "working"; }
    std::vector<std::string> states_sent() const {
        std::lock_guard lock(mutex_);
        return states_;
    }
    std::size_t calls(const std::string& method) const {
        std::size_t n = 0;
        for (const auto& r : api.requests()) n += r.path() == kRoute + method;
        return n;
    }
    /// Kaggle forgets the kernel (deleted on the website).
    void forget() {
        std::lock_guard lock(mutex_);
        forgotten_ = true;
    }

    FakeServer api;
    FakeServer storage;

private:
    FakeResponse save(const RecordedRequest& r) {
        json::object body = json::parse(r.body).as_object();
        std::lock_guard lock(mutex_);
        if (!settings_.save_error.empty())
            return FakeResponse::json(200, json::serialize(json::object{{"error", settings_.save_error}}));
        std::string slug(body.at("slug").as_string());
        ++version_;
        fs::create_directories(root_ / "kernel");
        test::write_text(root_ / "kernel" / "launcher.py", std::string(body.at("text").as_string()));
        json::object answer{{"ref", "/code/" + slug},
                            {"url", "https://www.kaggle.com/code/" + slug},
                            {"versionNumber", version_},
                            {"error", ""}};
        return FakeResponse::json(200, json::serialize(answer));
    }

    /// Runs the pushed launcher as Kaggle would, in the background.
    void launch() {
        started_ = true;
        fs::create_directories(working());
        worker_ = std::thread([this] {
            auto r = test::run_process({test::python().string(), (root_ / "kernel" / "launcher.py").string()}, working(),
                                       {{"AUTOKAGGLE_KAGGLE_INPUT", (root_ / "input").string()},
                                        {"AUTOKAGGLE_KAGGLE_WORKING", working().string()}},
                                       std::chrono::seconds(120));
            std::lock_guard lock(mutex_);
            exit_code_ = r.exit_code;
            stdout_ = r.out;
            stderr_ = r.err;
            done_ = true;
        });
    }

    FakeResponse status(const RecordedRequest&) {
        std::lock_guard lock(mutex_);
        if (settings_.status_http_error)
            return FakeResponse::json(settings_.status_http_error, R"({"code":503,"message":"backend unavailable"})");
        if (forgotten_ || version_ == 0)
            return FakeResponse::json(404, R"({"code":404,"message":"Kernel not found"})");
        std::string state;
        json::object answer;
        if (queued_left() > 0) {
            ++polls_queued_;
            state = "QUEUED";
        } else {
            if (!started_) launch();
            if (!done_) state = "RUNNING";
            else if (exit_code_ == 0) state = "COMPLETE";
            else {
                state = "ERROR";
                answer["failureMessage"] = settings_.failure_message;
            }
        }
        states_.push_back(state);
        answer["status"] = state;
        return FakeResponse::json(200, json::serialize(answer));
    }
    int queued_left() const { return settings_.queued_polls - polls_queued_; }

    FakeResponse output(const RecordedRequest&) {
        std::lock_guard lock(mutex_);
        json::array files;
        if (fs::exists(working()))
            for (const auto& e : fs::directory_iterator(working()))
                if (e.is_regular_file())
                    files.push_back(json::object{
                        {"fileName", e.path().filename().string()},
                        {"url", storage.base_url() + "/blobs/" + e.path().filename().string() + "?sig=abc"}});
        // Kaggle's log: a JSON array of stream entries.
        json::array log;
        log.push_back(json::object{{"stream_name", "stdout"}, {"time", 1.0}, {"data", stdout_}});
        if (!stderr_.empty()) log.push_back(json::object{{"stream_name", "stderr"}, {"time", 2.0}, {"data", stderr_}});
        if (settings_.log_as_file) {
            test::write_text(working() / "kernel.log", json::serialize(log));
            files.push_back(json::object{{"fileName", "kernel.log"}, {"url", storage.base_url() + "/blobs/kernel.log"}});
            return FakeResponse::json(200, json::serialize(json::object{{"files", files}}));
        }
        return FakeResponse::json(200, json::serialize(json::object{{"files", files}, {"log", json::serialize(log)}}));
    }

    FakeResponse blob(const RecordedRequest& r) {
        std::string name = r.path().substr(std::string("/blobs/").size());
        auto text = read_file_if_exists(working() / name);
        if (!text) return FakeResponse::text(404, "no such blob");
        FakeResponse f = FakeResponse::text(200, *text);
        f.headers.set("Content-Type", "application/octet-stream");
        return f;
    }

    fs::path root_;
    Settings settings_;
    mutable std::mutex mutex_;
    int version_ = 0;
    int polls_queued_ = 0;
    bool started_ = false, done_ = false, forgotten_ = false;
    int exit_code_ = -1;
    std::string stdout_, stderr_;
    std::vector<std::string> states_;
    std::thread worker_;
};

/// A contract-following script: reads train.csv from --data-dir, prints five fold lines (fold k
/// scores 0.7 + k/100), writes the OOF and test arrays where it is told, then CV_SCORE=0.777.
std::string contract_script(double pause_s) {
    return "import argparse, os, time\n"
           "import numpy as np\n"
           "p = argparse.ArgumentParser()\n"
           "for a in ['--data-dir', '--oof-out', '--test-out', '--oof-partial', '--folds', '--seed']:\n"
           "    p.add_argument(a)\n"
           "a = p.parse_args()\n"
           "rows = open(os.path.join(a.data_dir, 'train.csv')).read().strip().splitlines()[1:]\n"
           "print('rows', len(rows), 'in', a.data_dir, 'round', os.environ.get('AUTOKAGGLE_ROUND'), flush=True)\n"
           "time.sleep(" + std::to_string(pause_s) + ")\n"
           "for k in range(1, 6):\n"
           "    print('FOLD %d SCORE=%.4f' % (k, 0.7 + k / 100), flush=True)\n"
           "np.save(a.oof_out, np.arange(len(rows), dtype=float))\n"
           "np.save(a.test_out, np.zeros(3))\n"
           "print('CV_SCORE=0.777', flush=True)\n";
}

CompetitionInfo competition(const fs::path& root) {
    CompetitionInfo c;
    c.competition = kCompetition;
    c.task_type = "binary_classification";
    c.metric = "auc_roc";
    c.metric_direction = "higher";
    c.target_column = "target";
    c.id_column = "id";
    c.cv_folds = 5;
    c.train_csv = root / "data" / "train.csv";
    c.python = test::python();
    return c;
}

struct Fixture {
    TempDir dir{"autokaggle-kernels"};
    fs::path rounds = dir / "rounds";
    std::optional<json::object> record;

    explicit Fixture(FakeKernels::Settings settings = {}) : kaggle(std::make_unique<FakeKernels>(dir / "kaggle", settings)) {
        fs::create_directories(rounds);
        fs::create_directories(dir / "data");
        // The host's copy of the data differs from Kaggle's: the run must read Kaggle's.
        test::write_text(dir / "data" / "train.csv", "id,target\n1,0\n");
        test::write_text(kaggle->input() / "train.csv", "id,target\n1,0\n2,1\n3,0\n4,1\n");
    }

    Options options() const {
        Options o;
        o.api_base = kaggle->api.base_url();
        o.username = kUser;
        o.competition = kCompetition;
        o.poll_interval_s = 0.2;
        o.max_poll_interval_s = 0.4;
        o.api_grace_s = 5;
        return o;
    }
    /// A runner of its own client, as a new process would have.
    std::unique_ptr<KernelsRunner> runner() const {
        kaggle::ClientOptions c;
        c.api_base = kaggle->api.base_url();
        c.retry.max_retries = 0;
        return std::make_unique<KernelsRunner>(
            options(), kaggle::Client(kaggle::Credentials(kaggle::Credentials::Scheme::basic, kUser, kSecret, "test"), c));
    }
    ExperimentRunner experiments(Runner& runner_used, fs::path folds_file = {}) {
        ExperimentRunner::Settings settings;
        settings.rounds_dir = rounds;
        settings.data_dir = dir / "data";
        settings.python = test::python();
        settings.poll_interval_s = 0.2;
        settings.folds_file = std::move(folds_file);
        ExperimentRunner::Hooks hooks;
        hooks.persist_record = [this](const std::string&, const json::object* r) {
            if (r) record = *r;
        };
        return ExperimentRunner(runner_used, competition(dir.path()), KillGateConfig{}, settings, hooks);
    }

    std::unique_ptr<FakeKernels> kaggle;
};

RunPoll follow(RunHandle& h, std::string& output, double limit_s = 90) {
    auto until = Clock::now() + std::chrono::seconds(static_cast<int>(limit_s));
    for (;;) {
        RunPoll p = h.poll(0.3);
        output += p.new_output;
        if (p.status != RunStatus::running || Clock::now() > until) return p;
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_push_is_a_private_gpu_script_kernel_with_the_competition_attached) {
    Fixture f;
    auto runner = f.runner();
    ExperimentRunner experiments = f.experiments(*runner);
    RunSpec spec = experiments.spec_for({3, f.rounds / "R03_experiment.py", "x"});
    test::write_text(spec.script, "print('MARKER-5521 it\\'s \"quoted\" \\\\ here')\n" + contract_script(0));
    auto handle = runner->start(spec);
    BOOST_REQUIRE_EQUAL(f.kaggle->calls("SaveKernel"), 1u);
    const auto requests = f.kaggle->api.requests();
    json::object body = json::parse(requests.at(0).body).as_object();
    BOOST_TEST(body.at("slug").as_string() == "alice/autokaggle-kk-test-r03-experiment");
    BOOST_TEST(body.at("isPrivate").as_bool());
    BOOST_TEST(body.at("enableGpu").as_bool());
    BOOST_TEST(!body.at("enableInternet").as_bool());
    BOOST_TEST(body.at("machineShape").as_string() == "NvidiaTeslaT4");
    BOOST_TEST(body.at("language").as_string() == "python");
    BOOST_TEST(body.at("kernelType").as_string() == "script");
    BOOST_TEST(json::serialize(body.at("competitionDataSources")) == R"(["kk-test"])");
    std::string text(body.at("text").as_string());
    BOOST_TEST(!contains(text, f.dir.path().string()));  // no host path reaches Kaggle
    BOOST_TEST(requests.at(0).headers.get("Authorization").value_or("").rfind("Basic ", 0) == 0u);
    // The source carries the script byte for byte: running it prints the marker line intact.
    std::string output;
    RunPoll end = follow(*handle, output);
    BOOST_TEST_MESSAGE(end.message);
    BOOST_TEST((end.status == RunStatus::ok));
    BOOST_TEST(contains(output, "MARKER-5521 it's \"quoted\" \\ here"));
    BOOST_TEST(contains(output, "rows 4 in " + f.kaggle->input().string()));  // Kaggle's data, not the host's
    BOOST_TEST(contains(output, "round 3"));
    json::object record = handle->record();
    BOOST_TEST(record.at("slug").as_string() == "alice/autokaggle-kk-test-r03-experiment");
    BOOST_TEST(record.at("version_number").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(the_fold_assignment_travels_with_the_script) {
    Fixture f;
    const fs::path folds = f.dir / "folds" / "KFold-5-seed42-ab" / "folds.npy";
    test::write_text(folds, "FOLDS-5521");
    test::write_text(folds.parent_path() / "fit.npy", "FIT-5521");
    auto runner = f.runner();
    ExperimentRunner experiments = f.experiments(*runner, folds);
    RunSpec spec = experiments.spec_for({3, f.rounds / "R03_experiment.py", "x"});
    test::write_text(spec.script,
                     "import os\n"
                     "for name in ('AUTOKAGGLE_FOLDS_FILE', 'AUTOKAGGLE_FOLDS_FIT_FILE'):\n"
                     "    path = os.environ[name]\n"
                     "    print(name, open(path).read(), 'host' if path.startswith(" + json::serialize(json::value(f.dir.path().string())) +
                         ") else 'kernel', flush=True)\n" +
                         contract_script(0));
    auto handle = runner->start(spec);
    const std::string text(json::parse(f.kaggle->api.requests().at(0).body).as_object().at("text").as_string());
    BOOST_TEST(!contains(text, f.dir.path().string()));
    std::string output;
    RunPoll end = follow(*handle, output);
    BOOST_TEST((end.status == RunStatus::ok), end.message);
    BOOST_TEST(contains(output, "AUTOKAGGLE_FOLDS_FILE FOLDS-5521 kernel"), output);
    BOOST_TEST(contains(output, "AUTOKAGGLE_FOLDS_FIT_FILE FIT-5521 kernel"), output);
}

BOOST_AUTO_TEST_CASE(a_cpu_run_sends_no_machine_shape_and_internet_when_asked) {
    Fixture f;
    Options o = f.options();
    o.enable_gpu = false;
    o.enable_internet = true;
    kaggle::ClientOptions c;
    c.api_base = o.api_base;
    KernelsRunner runner(o, kaggle::Client(kaggle::Credentials(kaggle::Credentials::Scheme::basic, kUser, kSecret, "t"), c));
    RunSpec spec = f.experiments(runner).spec_for({4, f.rounds / "R04_experiment.py", "x"});
    test::write_text(spec.script, "print(1)\n");
    json::object body = runner.save_request(spec, runner.kernel_for(spec));
    BOOST_TEST(!body.at("enableGpu").as_bool());
    BOOST_TEST(body.at("enableInternet").as_bool());
    BOOST_TEST(!body.contains("machineShape"));
}

BOOST_AUTO_TEST_CASE(queued_running_complete_through_the_experiment_runner) {
    Fixture f({2, "", ""});
    auto runner = f.runner();
    ExperimentRunner experiments = f.experiments(*runner);
    test::write_text(f.rounds / "R05_experiment.py", contract_script(1.5));
    ExperimentResult result = experiments.run({5, f.rounds / "R05_experiment.py", "kernel run"});
    BOOST_TEST_MESSAGE(result.message);
    BOOST_TEST((result.status == RunStatus::ok));
    BOOST_REQUIRE(result.claimed_cv.has_value());
    BOOST_TEST(*result.claimed_cv == 0.777, boost::test_tools::tolerance(1e-9));
    BOOST_REQUIRE_EQUAL(result.fold_scores.size(), 5u);
    BOOST_TEST(result.fold_scores[0] == 0.71, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(result.fold_scores[4] == 0.75, boost::test_tools::tolerance(1e-9));
    // The OOF array came back from the storage host: four rows, as in Kaggle's copy of the data.
    BOOST_TEST(fs::exists(f.rounds / "R05_oof.npy"));
    BOOST_TEST(fs::exists(f.rounds / "R05_test.npy"));
    BOOST_TEST(test::read_text(f.rounds / "R05_oof.npy") == test::read_text(f.kaggle->working() / "R05_oof.npy"));
    std::string log = test::read_text(f.rounds / "R05_run.log");
    BOOST_TEST(contains(log, "FOLD 3 SCORE=0.7300"));
    BOOST_TEST(contains(log, "[runner-kaggle-kernels] Kaggle kernel alice/autokaggle-kk-test-r05-experiment version 1"));
    auto states = f.kaggle->states_sent();
    BOOST_REQUIRE(states.size() >= 4u);
    BOOST_TEST(states[0] == "QUEUED");
    BOOST_TEST(states[1] == "QUEUED");
    BOOST_TEST(std::count(states.begin(), states.end(), "RUNNING") >= 1);
    BOOST_TEST(states.back() == "COMPLETE");
    BOOST_TEST(f.kaggle->calls("ListKernelSessionOutput") == 1u);
    // Credentials never reach the storage host.
    auto blobs = f.kaggle->storage.requests();
    BOOST_TEST(blobs.size() >= 2u);
    for (const auto& r : blobs) {
        BOOST_TEST(!r.headers.contains("Authorization"));
        for (const auto& [name, value] : r.headers.fields()) BOOST_TEST(!contains(value, kSecret));
    }
    BOOST_TEST(!contains(log, kSecret));
}

BOOST_AUTO_TEST_CASE(status_calls_back_off_but_never_come_faster_than_the_interval) {
    Fixture f({0, "", ""});
    Options o = f.options();
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({6, f.rounds / "R06_experiment.py", "x"});
    test::write_text(spec.script, contract_script(2.5));
    auto handle = runner->start(spec);
    std::string output;
    auto started = Clock::now();
    RunPoll end = follow(*handle, output);
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    BOOST_TEST((end.status == RunStatus::ok));
    std::size_t status_calls = f.kaggle->calls("GetKernelSessionStatus");
    BOOST_TEST_MESSAGE(status_calls << " status calls in " << seconds << " s");
    BOOST_TEST(status_calls >= 2u);
    BOOST_TEST(static_cast<double>(status_calls) <= seconds / o.poll_interval_s + 1);
}

BOOST_AUTO_TEST_CASE(an_error_session_records_kaggles_failure_message_and_the_log) {
    Fixture f({0, "", "Your notebook hit an unhandled error while executing (exit code 1)"});
    auto runner = f.runner();
    ExperimentRunner experiments = f.experiments(*runner);
    test::write_text(f.rounds / "R07_experiment.py",
                     "print('FOLD 1 SCORE=0.6', flush=True)\nraise ValueError('the model diverged 4242')\n");
    ExperimentResult result = experiments.run({7, f.rounds / "R07_experiment.py", "a crash"});
    BOOST_TEST_MESSAGE(result.message);
    BOOST_TEST((result.status == RunStatus::crash));
    BOOST_TEST(contains(result.message, "Your notebook hit an unhandled error while executing"));
    std::string log = test::read_text(f.rounds / "R07_run.log");
    BOOST_TEST(contains(log, "ValueError: the model diverged 4242"));
    BOOST_TEST(result.fold_scores.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_memory_failure_is_an_oom_outcome) {
    Fixture f({0, "", "Your notebook tried to allocate more memory than is available. It has restarted. (out of memory)"});
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({8, f.rounds / "R08_experiment.py", "x"});
    test::write_text(spec.script, "import sys\nsys.exit(137)\n");
    auto handle = runner->start(spec);
    std::string output;
    RunPoll end = follow(*handle, output);
    BOOST_TEST((end.status == RunStatus::oom));
    BOOST_TEST(contains(end.message, "more memory than is available"));
}

BOOST_AUTO_TEST_CASE(a_gpu_quota_refusal_on_http_200_is_a_clear_error) {
    Fixture f({0, "You have exceeded your weekly GPU quota of 30 hours. Quota resets on Saturday.", ""});
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({9, f.rounds / "R09_experiment.py", "x"});
    test::write_text(spec.script, contract_script(0));
    try {
        runner->start(spec);
        BOOST_FAIL("start() accepted a refused push");
    } catch (const ServiceError& e) {
        BOOST_TEST_MESSAGE(e.what());
        BOOST_TEST(e.type() == "accelerator_quota");
        BOOST_TEST(contains(e.what(), "exceeded your weekly GPU quota"));
        BOOST_TEST(contains(e.what(), "enable_gpu"));
        BOOST_TEST(contains(e.what(), "R09_experiment"));
    }
    BOOST_TEST(f.kaggle->calls("GetKernelSessionStatus") == 0u);
}

BOOST_AUTO_TEST_CASE(a_concurrent_session_refusal_names_the_limit) {
    Fixture f({0, "Maximum number of concurrent GPU sessions reached", ""});
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({10, f.rounds / "R10_experiment.py", "x"});
    test::write_text(spec.script, contract_script(0));
    BOOST_CHECK_EXCEPTION(runner->start(spec), ServiceError,
                          [](const ServiceError& e) { return e.type() == "concurrent_sessions"; });
}

BOOST_AUTO_TEST_CASE(a_resumed_campaign_follows_the_recorded_kernel_without_pushing_again) {
    Fixture f({1, "", ""});
    json::object record;
    {
        // The orchestrator that pushed the kernel dies while it runs: its handle goes away, the
        // record (kept in state.json) stays.
        auto first = f.runner();
        ExperimentRunner experiments = f.experiments(*first);
        RunSpec spec = experiments.spec_for({11, f.rounds / "R11_experiment.py", "x"});
        test::write_text(spec.script, contract_script(1.5));
        auto handle = first->start(spec);
        record = handle->record();
        RunPoll p = handle->poll(0.5);
        BOOST_TEST((p.status == RunStatus::running));
    }
    auto second = f.runner();
    ExperimentRunner experiments = f.experiments(*second);
    ExperimentResult result = experiments.resume({11, f.rounds / "R11_experiment.py", "x"}, record);
    BOOST_TEST_MESSAGE(result.message);
    BOOST_TEST((result.status == RunStatus::ok));
    BOOST_TEST(result.fold_scores.size() == 5u);
    BOOST_TEST(f.kaggle->calls("SaveKernel") == 1u);
    BOOST_TEST(fs::exists(f.rounds / "R11_oof.npy"));
}

BOOST_AUTO_TEST_CASE(a_forgotten_kernel_is_not_attached) {
    Fixture f;
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({12, f.rounds / "R12_experiment.py", "x"});
    test::write_text(spec.script, contract_script(0));
    json::object record = runner->start(spec)->record();
    f.kaggle->forget();
    BOOST_TEST(!runner->attach(spec, record));
    BOOST_TEST(!runner->attach(spec, json::object{{"slug", ""}}));
}

BOOST_AUTO_TEST_CASE(cancel_stops_following_and_says_kaggle_cannot_stop_it) {
    Fixture f({100, "", ""});
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({13, f.rounds / "R13_experiment.py", "x"});
    test::write_text(spec.script, contract_script(0));
    auto handle = runner->start(spec);
    handle->poll(0.3);
    handle->cancel("the campaign is stopping");
    std::size_t calls = f.kaggle->calls("GetKernelSessionStatus");
    RunPoll p = handle->poll(0.5);
    BOOST_TEST((p.status == RunStatus::cancelled));
    BOOST_TEST(contains(p.message, "cannot stop a running kernel"));
    BOOST_TEST(contains(p.message, "https://www.kaggle.com/code/alice/autokaggle-kk-test-r13-experiment"));
    BOOST_TEST(f.kaggle->calls("GetKernelSessionStatus") == calls);
    BOOST_TEST(contains(test::read_text(spec.log_file), "the campaign is stopping"));
}

BOOST_AUTO_TEST_CASE(the_plugin_loads_with_credentials_from_the_environment) {
    Fixture f({0, "", ""});
    TempDir home{"autokaggle-kernels-home"};
    ::setenv("HOME", home.path().c_str(), 1);
    ::unsetenv("KAGGLE_API_TOKEN");
    ::unsetenv("KAGGLE_CONFIG_DIR");
    ::unsetenv("XDG_CONFIG_HOME");
    ::unsetenv("KAGGLE_API_BASE_URL");
    ::setenv("KAGGLE_USERNAME", kUser, 1);
    ::setenv("KAGGLE_KEY", kSecret, 1);
    PluginHost plugins{{test::plugin_dir()}};
    const PluginInfo& info = plugins.find("runner", "kaggle-kernels");
    std::vector<Diagnostic> diagnostics;
    PluginContext ctx;
    json::object options{{"api_base", f.kaggle->api.base_url()}, {"competition", kCompetition},
                         {"poll_interval_s", 0.2}, {"enable_gpu", false}};
    ctx.options = plugins.validate_options(info, options, "runner.options", diagnostics);
    for (const auto& d : diagnostics) BOOST_TEST_MESSAGE(d.format());
    BOOST_REQUIRE(diagnostics.empty());
    auto runner = plugins.create_runner("kaggle-kernels", ctx);
    RunSpec spec = f.experiments(*runner).spec_for({14, f.rounds / "R14_experiment.py", "x"});
    test::write_text(spec.script, contract_script(0));
    auto handle = runner->start(spec);
    std::string output;
    RunPoll end = follow(*handle, output);
    BOOST_TEST((end.status == RunStatus::ok));
    BOOST_TEST(contains(output, "CV_SCORE=0.777"));
    json::object body = json::parse(f.kaggle->api.requests().at(0).body).as_object();
    BOOST_TEST(!body.at("enableGpu").as_bool());
    BOOST_TEST(body.at("slug").as_string() == "alice/autokaggle-kk-test-r14-experiment");
}

BOOST_AUTO_TEST_CASE(a_session_past_the_time_limit_is_a_timeout_that_names_the_kernel) {
    Fixture f({1000, "", ""});  // stays QUEUED
    auto runner = f.runner();
    RunSpec spec = f.experiments(*runner).spec_for({15, f.rounds / "R15_experiment.py", "x"});
    spec.timeout_s = 1;
    test::write_text(spec.script, contract_script(0));
    auto handle = runner->start(spec);
    std::string output;
    auto started = Clock::now();
    RunPoll end = follow(*handle, output, 20);
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    BOOST_TEST_MESSAGE(end.message << " after " << seconds << " s");
    BOOST_TEST((end.status == RunStatus::timeout));
    BOOST_TEST(contains(end.message, "wall-clock limit of 1 s"));
    BOOST_TEST(contains(end.message, "https://www.kaggle.com/code/alice/autokaggle-kk-test-r15-experiment"));
    BOOST_TEST(seconds < 10);
}

BOOST_AUTO_TEST_CASE(an_api_that_keeps_failing_ends_the_run_with_an_error_after_the_grace) {
    FakeKernels::Settings settings;
    settings.status_http_error = 503;
    Fixture f(settings);
    Options o = f.options();
    o.api_grace_s = 1;
    kaggle::ClientOptions c;
    c.api_base = o.api_base;
    c.retry.max_retries = 0;
    KernelsRunner runner(o, kaggle::Client(kaggle::Credentials(kaggle::Credentials::Scheme::basic, kUser, kSecret, "t"), c));
    RunSpec spec = f.experiments(runner).spec_for({16, f.rounds / "R16_experiment.py", "x"});
    test::write_text(spec.script, contract_script(0));
    auto handle = runner.start(spec);
    RunPoll first = handle->poll(0.1);  // one failure is tolerated
    BOOST_TEST((first.status == RunStatus::running));
    std::string output;
    BOOST_CHECK_EXCEPTION(follow(*handle, output, 20), Error, [](const Error& e) {
        BOOST_TEST_MESSAGE(e.what());
        return contains(e.what(), "has failed for 1 s") && contains(e.what(), "alice/autokaggle-kk-test-r16-experiment");
    });
}

BOOST_AUTO_TEST_CASE(a_log_delivered_as_an_output_file_is_read_too) {
    FakeKernels::Settings settings;
    settings.queued_polls = 0;
    settings.log_as_file = true;
    Fixture f(settings);
    auto runner = f.runner();
    ExperimentRunner experiments = f.experiments(*runner);
    test::write_text(f.rounds / "R17_experiment.py", contract_script(0));
    ExperimentResult result = experiments.run({17, f.rounds / "R17_experiment.py", "x"});
    BOOST_TEST_MESSAGE(result.message);
    BOOST_TEST((result.status == RunStatus::ok));
    BOOST_TEST(result.fold_scores.size() == 5u);
    BOOST_TEST(contains(test::read_text(f.rounds / "R17_run.log"), "CV_SCORE=0.777"));
}

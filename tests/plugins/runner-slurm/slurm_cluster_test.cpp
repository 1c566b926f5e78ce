// The slurm runner against a real one-node Slurm cluster (slurmctld, slurmd, munged) that
// cluster.sh starts for this test program and stops at its end. Real Python jobs: success,
// crash, the runner's time limit, cancel (as the fold-1 kill gate does), re-attach after the
// orchestrator is gone, a node that cannot see the workspace, refused submissions.
// Where the cluster cannot start, every test fails with the reason.
#define BOOST_TEST_MODULE runner_slurm_cluster
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include "base/atomic_file.hpp"
#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "runner/experiment_runner.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace autokaggle;
using autokaggle::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

/// The cluster for the whole test program: started once, stopped by pid at the end.
class Cluster {
public:
    Cluster() {
        auto r = test::run_process({"/bin/bash", AUTOKAGGLE_SLURM_CLUSTER_SCRIPT, "start", dir_.path().string()}, {}, {},
                                   std::chrono::seconds(600));
        std::string out = r.out;
        auto pos = out.find("SLURM_CONF=");
        if (r.exit_code != 0 || pos == std::string::npos) {
            error_ = "the test Slurm cluster did not start (" + std::string(AUTOKAGGLE_SLURM_CLUSTER_SCRIPT) +
                     " start " + dir_.path().string() + ", exit " + std::to_string(r.exit_code) + "):\n" + r.err + r.out;
            return;
        }
        std::string conf = out.substr(pos + 11);
        conf = conf.substr(0, conf.find('\n'));
        ::setenv("SLURM_CONF", conf.c_str(), 1);  // sbatch, squeue, scontrol, scancel read it
    }
    ~Cluster() {
        test::run_process({"/bin/bash", AUTOKAGGLE_SLURM_CLUSTER_SCRIPT, "stop", dir_.path().string()}, {}, {},
                          std::chrono::seconds(60));
    }
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    static Cluster*& instance() {
        static Cluster* current = nullptr;
        return current;
    }
    /// Fails the calling test with the reason when the cluster is not there.
    static void require() {
        Cluster* c = instance();
        if (!c) BOOST_FAIL("the Slurm test cluster was never set up");
        if (!c->error_.empty()) BOOST_FAIL(c->error_);
    }

private:
    TempDir dir_{"autokaggle-slurm-cluster"};
    std::string error_;
};

struct ClusterFixture {
    ClusterFixture() { Cluster::instance() = &cluster; }
    ~ClusterFixture() { Cluster::instance() = nullptr; }
    Cluster cluster;
};
BOOST_TEST_GLOBAL_FIXTURE(ClusterFixture);

/// A workspace's rounds/ folder and the runner loaded through the plugin host.
struct Fixture {
    TempDir dir{"autokaggle-slurm"};
    fs::path rounds = dir / "rounds";
    PluginHost plugins{{test::plugin_dir()}};

    Fixture() {
        Cluster::require();
        fs::create_directories(rounds);
    }

    std::shared_ptr<Runner> runner(json::object options = {}) { return runner_from(plugins, std::move(options)); }

    /// The runner from a given plugin host (a second host stands for a new process).
    static std::shared_ptr<Runner> runner_from(PluginHost& plugins, json::object options = {}) {
        if (!options.contains("poll_interval_s")) options["poll_interval_s"] = 0.3;
        if (!options.contains("cancel_wait_s")) options["cancel_wait_s"] = 30;
        const PluginInfo& info = plugins.find("runner", "slurm");
        std::vector<Diagnostic> diagnostics;
        PluginContext ctx;
        ctx.options = plugins.validate_options(info, options, "runner.options", diagnostics);
        for (const auto& d : diagnostics) BOOST_TEST_MESSAGE(d.format());
        BOOST_REQUIRE(diagnostics.empty());
        ctx.host = nullptr;
        return plugins.create_runner("slurm", ctx);
    }

    RunSpec spec(int round, const std::string& python_source, double timeout_s = 0) {
        char label[32];
        std::snprintf(label, sizeof label, "R%02d_experiment", round);
        RunSpec s;
        s.round = round;
        s.label = label;
        s.script = rounds / (s.label + ".py");
        s.work_dir = rounds;
        s.log_file = rounds / (std::string(label).substr(0, 3) + "_run.log");
        s.python = test::python();
        s.args = {"--round", std::to_string(round)};
        s.env = {{"AUTOKAGGLE_TEST_VALUE", "it's here"}};
        s.timeout_s = timeout_s;
        test::write_text(s.script, python_source);
        return s;
    }
};

struct Followed {
    RunPoll last;
    std::string output;
    bool fold1_while_running = false;
    double seconds = 0;
};

/// Polls to the end; `on_output` may cancel.
template <class OnOutput>
Followed follow(RunHandle& h, OnOutput on_output, double limit_s = 120) {
    Followed f;
    auto start = Clock::now();
    for (;;) {
        RunPoll p = h.poll(0.5);
        f.output += p.new_output;
        if (p.status == RunStatus::running && f.output.find("FOLD 1 SCORE=") != std::string::npos)
            f.fold1_while_running = true;
        if (p.status != RunStatus::running) {
            f.last = p;
            break;
        }
        on_output(f.output);
        if (std::chrono::duration<double>(Clock::now() - start).count() > limit_s) {
            h.cancel("test limit");
            BOOST_FAIL("the job did not end within " << limit_s << " s; output so far:\n" << f.output);
        }
    }
    f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return f;
}
Followed follow(RunHandle& h) {
    return follow(h, [](const std::string&) {});
}

std::string scontrol_field(const std::string& job_id, const std::string& key) {
    auto r = test::run_process({"/usr/bin/scontrol", "show", "job", "-o", job_id});
    auto pos = r.out.find(key + "=");
    if (pos == std::string::npos) return {};
    auto end = r.out.find(' ', pos);
    return r.out.substr(pos + key.size() + 1, end == std::string::npos ? std::string::npos : end - pos - key.size() - 1);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* kGoodScript = R"py(
import os, sys, time
print("starting", sys.argv[1:], os.environ.get("AUTOKAGGLE_TEST_VALUE"), flush=True)
print("FOLD 1 SCORE=0.81", flush=True)
time.sleep(2)
for k in range(2, 4):
    print(f"FOLD {k} SCORE=0.8{k}", flush=True)
print("warning on stderr", file=sys.stderr, flush=True)
open("R01_oof.npy", "w").write("x")
print("CV_SCORE=0.82", flush=True)
)py";

}  // namespace

BOOST_AUTO_TEST_CASE(a_good_job_streams_its_output_and_completes) {
    Fixture f;
    auto runner = f.runner({{"cpus", 1}, {"extra_directives", json::array{"--comment=autokaggle-test"}}});
    RunSpec spec = f.spec(1, kGoodScript);
    auto handle = runner->start(spec);
    json::object record = handle->record();
    std::string job_id(record.at("job_id").as_string());
    BOOST_TEST(!job_id.empty());
    BOOST_TEST(scontrol_field(job_id, "JobName") == "autokaggle-R01_experiment");
    BOOST_TEST(scontrol_field(job_id, "NumCPUs") == "1");

    Followed run = follow(*handle);
    BOOST_TEST_MESSAGE(run.last.message << "\n" << run.output);
    BOOST_TEST((run.last.status == RunStatus::ok));
    BOOST_TEST(run.last.exit_code.value_or(-1) == 0);
    BOOST_TEST(run.fold1_while_running);  // streamed, not delivered at the end
    BOOST_TEST(contains(run.output, "starting ['--round', '1'] it's here"));
    BOOST_TEST(contains(run.output, "FOLD 3 SCORE=0.83"));
    BOOST_TEST(contains(run.output, "warning on stderr"));
    BOOST_TEST(contains(run.output, "CV_SCORE=0.82"));
    BOOST_TEST(non_empty_file(spec.log_file));
    BOOST_TEST(contains(test::read_text(spec.log_file), "CV_SCORE=0.82"));
    BOOST_TEST(!fs::exists(fs::path(spec.log_file).concat(".partial")));
    BOOST_TEST(!fs::exists(f.rounds / ".autokaggle-slurm-R01_experiment"));
    BOOST_TEST(fs::exists(f.rounds / "R01_oof.npy"));  // ran in the round's folder
    BOOST_TEST(contains(test::read_text(f.rounds / "R01_experiment.sbatch"), "#SBATCH --comment=autokaggle-test"));
    BOOST_TEST(scontrol_field(job_id, "JobState") == "COMPLETED");
}

BOOST_AUTO_TEST_CASE(a_crashing_job_reports_its_exit_code) {
    Fixture f;
    auto runner = f.runner();
    RunSpec spec = f.spec(2, "import sys\nprint('FOLD 1 SCORE=0.5', flush=True)\nraise SystemExit(3)\n");
    auto handle = runner->start(spec);
    Followed run = follow(*handle);
    BOOST_TEST_MESSAGE(run.last.message);
    BOOST_TEST((run.last.status == RunStatus::crash));
    BOOST_TEST(run.last.exit_code.value_or(-1) == 3);
    BOOST_TEST(contains(run.last.message, "FAILED"));
    BOOST_TEST(contains(run.last.message, "exit code 3"));
    BOOST_TEST(contains(test::read_text(spec.log_file), "FOLD 1 SCORE=0.5"));
}

BOOST_AUTO_TEST_CASE(a_job_past_its_time_limit_is_cancelled_as_timeout) {
    Fixture f;
    auto runner = f.runner({{"timeout_s", 600}});
    RunSpec spec = f.spec(3, "import time\nprint('FOLD 1 SCORE=0.5', flush=True)\ntime.sleep(120)\n", 3);
    auto handle = runner->start(spec);
    std::string job_id(handle->record().at("job_id").as_string());
    BOOST_TEST(scontrol_field(job_id, "TimeLimit") == "00:02:00");  // the spec's 3 s + 1 minute, rounded up
    Followed run = follow(*handle);
    BOOST_TEST_MESSAGE(run.last.message << " after " << run.seconds << " s");
    BOOST_TEST((run.last.status == RunStatus::timeout));
    BOOST_TEST(contains(run.last.message, "exceeded the wall-clock limit of 3 s"));
    BOOST_TEST(run.seconds < 60);
    BOOST_TEST(contains(scontrol_field(job_id, "JobState"), "CANCELLED"));
}

BOOST_AUTO_TEST_CASE(cancel_ends_the_job_as_the_kill_gate_does) {
    Fixture f;
    auto runner = f.runner();
    RunSpec spec = f.spec(4, "import time\nprint('FOLD 1 SCORE=0.1', flush=True)\ntime.sleep(120)\nprint('never')\n");
    auto handle = runner->start(spec);
    std::string job_id(handle->record().at("job_id").as_string());
    bool cancelled = false;
    Followed run = follow(*handle, [&](const std::string& out) {
        if (!cancelled && contains(out, "FOLD 1 SCORE=0.1")) {
            handle->cancel("stopped by the fold-1 kill gate: fold 1 is 20% below the best");
            cancelled = true;
        }
    });
    BOOST_TEST_MESSAGE(run.last.message);
    BOOST_TEST(cancelled);
    BOOST_TEST((run.last.status == RunStatus::cancelled));
    BOOST_TEST(contains(run.last.message, "fold-1 kill gate"));
    BOOST_TEST(!contains(run.output, "never"));
    BOOST_TEST(contains(scontrol_field(job_id, "JobState"), "CANCELLED"));
    BOOST_TEST(fs::exists(spec.log_file));
}

BOOST_AUTO_TEST_CASE(a_new_process_reattaches_to_the_running_job) {
    Fixture f;
    RunSpec spec = f.spec(5, "import time\nprint('FOLD 1 SCORE=0.7', flush=True)\ntime.sleep(4)\n"
                             "print('CV_SCORE=0.7', flush=True)\n");
    json::object record;
    {
        // The first orchestrator: starts the job, records it, and is gone before it ends.
        PluginHost first_process{{test::plugin_dir()}};
        auto runner = Fixture::runner_from(first_process);
        auto handle = runner->start(spec);
        record = handle->record();
        handle->poll(1.0);
    }
    std::string job_id(record.at("job_id").as_string());
    std::string state = scontrol_field(job_id, "JobState");
    BOOST_TEST((state == "RUNNING" || state == "PENDING"), "state after the first process left: " << state);

    auto runner = f.runner();  // the resumed orchestrator's own plugin host
    auto handle = runner->attach(spec, record);
    BOOST_REQUIRE(handle);
    BOOST_TEST(std::string(handle->record().at("job_id").as_string()) == job_id);
    Followed run = follow(*handle);
    BOOST_TEST((run.last.status == RunStatus::ok));
    // The whole output again, so the host sees fold 1 too.
    BOOST_TEST(contains(run.output, "FOLD 1 SCORE=0.7"));
    BOOST_TEST(contains(run.output, "CV_SCORE=0.7"));
    // The id was followed, not submitted again.
    auto q = test::run_process({"/usr/bin/squeue", "-h", "-n", "autokaggle-R05_experiment", "-o", "%i"});
    BOOST_TEST(q.out.find_first_not_of(job_id + "\n") == std::string::npos);

    // Records that name nothing Slurm knows, or another job, are not followed.
    json::object unknown = record;
    unknown["job_id"] = "987654";
    BOOST_TEST(!runner->attach(spec, unknown));
    RunSpec other = f.spec(6, "print('x')\n");
    BOOST_TEST(!runner->attach(other, record));  // job 'autokaggle-R05_experiment' is not R06's
    BOOST_TEST(!fs::exists(f.rounds / ".autokaggle-slurm-R06_experiment"));  // nothing left behind
}

BOOST_AUTO_TEST_CASE(a_node_that_cannot_see_the_workspace_is_reported) {
    Fixture f;
    // The job starts two seconds after submission; removing the runner's marker file before that
    // looks, to the job, like a node without the shared filesystem.
    auto runner = f.runner({{"extra_directives", json::array{"--begin=now+2"}}});
    RunSpec spec = f.spec(7, "print('should not run')\n");
    auto handle = runner->start(spec);
    fs::remove(f.rounds / ".autokaggle-slurm-R07_experiment");
    Followed run = follow(*handle);
    BOOST_TEST_MESSAGE(run.last.message << "\n" << run.output);
    BOOST_TEST((run.last.status == RunStatus::crash));
    BOOST_TEST(run.last.exit_code.value_or(-1) == 97);
    BOOST_TEST(contains(run.last.message, "shared filesystem"));
    BOOST_TEST(contains(run.output, "cannot see the workspace"));
    BOOST_TEST(!contains(run.output, "should not run"));
}

BOOST_AUTO_TEST_CASE(refused_submissions_and_missing_tools_are_clear_errors) {
    Fixture f;
    auto runner = f.runner({{"partition", "no-such-partition"}});
    std::string error;
    try {
        runner->start(f.spec(8, "print(1)\n"));
    } catch (const std::exception& e) {
        error = e.what();
    }
    BOOST_TEST_MESSAGE(error);
    BOOST_TEST(contains(error, "sbatch refused R08_experiment"));
    BOOST_TEST(contains(error, "invalid partition"));
    BOOST_TEST(contains(error, "runner.options"));

    fs::create_directories(f.dir / "empty-bin");
    error.clear();
    bool config_error = false;
    try {
        f.runner({{"bin_dir", (f.dir / "empty-bin").string()}});
    } catch (const ConfigError& e) {
        config_error = true;
        error = e.what();
    }
    BOOST_TEST_MESSAGE(error);
    BOOST_TEST(config_error);
    BOOST_TEST(contains(error, "'sbatch' was not found"));
    BOOST_TEST(contains(error, "apt-get install slurm-client"));
}

// ---------------------------------------------------------------------------------------------
// Through the host's ExperimentRunner, as the orchestrator uses it.

namespace {

/// A competition whose experiments the runner starts with the script contract's arguments.
CompetitionInfo competition(const fs::path& root) { return test::binary_competition("slurm-test", root / "data"); }

/// A contract-following script: fold lines (fold 1 scores `fold1`), then the OOF and test files
/// at the paths it is given, then CV_SCORE. `pause_s` between the folds.
std::string contract_script(double fold1, double pause_s) {
    return "import argparse, time\n"
           "import numpy as np\n"
           "p = argparse.ArgumentParser()\n"
           "for a in ['--data-dir', '--oof-out', '--test-out', '--oof-partial', '--folds', '--seed']:\n"
           "    p.add_argument(a)\n"
           "a = p.parse_args()\n"
           "print('FOLD 1 SCORE=" + std::to_string(fold1) + "', flush=True)\n"
           "time.sleep(" + std::to_string(pause_s) + ")\n"
           "for k in range(2, 6):\n"
           "    print(f'FOLD {k} SCORE=0.9', flush=True)\n"
           "np.save(a.oof_out, np.linspace(0, 1, 10))\n"
           "np.save(a.test_out, np.linspace(0, 1, 4))\n"
           "print('CV_SCORE=0.9', flush=True)\n";
}

/// The host side of one orchestrator process: its runner and the record it persisted.
struct HostRun {
    explicit HostRun(Fixture& fixture) : f(fixture), runner(fixture.runner()) {}
    Fixture& f;
    std::shared_ptr<Runner> runner;
    std::optional<json::object> record;
    ExperimentRunner::Hooks hooks() {
        ExperimentRunner::Hooks h;
        h.persist_record = [this](const std::string&, const json::object* r) {
            if (r) record = *r;
        };
        return h;
    }
    ExperimentRunner make() {
        ExperimentRunner::Settings settings;
        settings.rounds_dir = f.rounds;
        settings.data_dir = f.dir / "data";
        settings.python = test::python();
        settings.poll_interval_s = 0.3;
        return ExperimentRunner(*runner, competition(f.dir.path()), KillGateConfig{}, settings, hooks());
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_fold1_kill_gate_cancels_the_slurm_job) {
    Fixture f;
    HostRun host{f};
    ExperimentRunner experiments = host.make();
    test::write_text(f.rounds / "R09_experiment.py", contract_script(0.5, 120));
    KillGateContext gate;
    gate.best_cv = 0.9;  // fold 1 at 0.5 is far more than 5% worse
    auto started = Clock::now();
    ExperimentResult result = experiments.run({9, f.rounds / "R09_experiment.py", "a poor model"}, gate);
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    BOOST_TEST_MESSAGE(result.message << " (" << seconds << " s)");
    BOOST_TEST((result.status == RunStatus::killed_fold1));
    BOOST_TEST(result.fold_scores.size() == 1u);
    BOOST_TEST(seconds < 60);
    BOOST_REQUIRE(host.record);
    std::string job_id(host.record->at("job_id").as_string());
    BOOST_TEST(contains(scontrol_field(job_id, "JobState"), "CANCELLED"));
    BOOST_TEST(contains(test::read_text(f.rounds / "R09_run.log"), "FOLD 1 SCORE=0.5"));
}

BOOST_AUTO_TEST_CASE(a_resumed_campaign_follows_the_job_it_recorded) {
    Fixture f;
    json::object record;
    {
        // The orchestrator that started the job dies while it runs: its runner's handle goes away
        // with it, the record stays (in state.json, here a copy).
        HostRun first{f};
        auto spec = first.make().spec_for({10, f.rounds / "R10_experiment.py", "x"});
        test::write_text(spec.script, contract_script(0.88, 4));
        auto handle = first.runner->start(spec);
        record = handle->record();
        handle->poll(1.0);
    }
    HostRun second{f};
    ExperimentRunner experiments = second.make();
    ExperimentResult result = experiments.resume({10, f.rounds / "R10_experiment.py", "x"}, record);
    BOOST_TEST_MESSAGE(result.message);
    BOOST_TEST((result.status == RunStatus::ok));
    BOOST_TEST(result.claimed_cv.value_or(0) == 0.9);
    BOOST_TEST(result.fold_scores.size() == 5u);  // fold 1 too: the output is read from its start
    auto q = test::run_process({"/usr/bin/squeue", "-h", "-n", "autokaggle-R10_experiment", "-o", "%i"});
    BOOST_TEST(q.out.find_first_not_of(std::string(record.at("job_id").as_string()) + "\n") == std::string::npos);
}

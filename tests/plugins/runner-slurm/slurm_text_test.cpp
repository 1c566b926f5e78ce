// The slurm runner's text side: sbatch arguments, the batch script, and reading what sbatch,
// scontrol and the job states say. No cluster needed.
#define BOOST_TEST_MODULE runner_slurm_text
#include "slurm_text.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace autokaggle;
using namespace autokaggle::slurm;

namespace {
RunSpec spec() {
    RunSpec s;
    s.round = 3;
    s.label = "R03_experiment";
    s.script = "/ws/rounds/R03_experiment.py";
    s.work_dir = "/ws/rounds";
    s.log_file = "/ws/rounds/R03_run.log";
    s.python = "/usr/bin/python3";
    s.args = {"--data", "/ws/data dir", "--note", "it's"};
    s.env = {{"AUTOKAGGLE_SEED", "42"}, {"WEIRD", "a'b c"}};
    return s;
}
bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }
}  // namespace

BOOST_AUTO_TEST_CASE(sbatch_arguments_carry_every_option) {
    JobOptions o;
    o.partition = "gpu";
    o.account = "lab";
    o.qos = "long";
    o.gres = "gpu:1";
    o.cpus = 8;
    o.mem_mb = 16000;
    auto args = sbatch_args(o, spec(), "/ws/rounds/100%/R03_run.log.partial", 3600 + 60);
    BOOST_TEST(has(args, "--parsable"));
    BOOST_TEST(has(args, "--job-name=autokaggle-R03_experiment"));
    BOOST_TEST(has(args, "--output=/ws/rounds/100%%/R03_run.log.partial"));
    BOOST_TEST(has(args, "--chdir=/ws/rounds"));
    BOOST_TEST(has(args, "--time=61"));
    BOOST_TEST(has(args, "--partition=gpu"));
    BOOST_TEST(has(args, "--account=lab"));
    BOOST_TEST(has(args, "--qos=long"));
    BOOST_TEST(has(args, "--gres=gpu:1"));
    BOOST_TEST(has(args, "--cpus-per-task=8"));
    BOOST_TEST(has(args, "--mem=16000M"));
    auto bare = sbatch_args(JobOptions{}, spec(), "/o", 0);
    BOOST_TEST(bare.size() == 5u);  // parsable, name, output, chdir, open-mode
    BOOST_TEST(time_limit(1) == "1");
    BOOST_TEST(time_limit(61) == "2");
}

BOOST_AUTO_TEST_CASE(batch_script_quotes_and_checks_the_workspace) {
    JobOptions o;
    o.extra_directives = {"--exclusive"};
    o.setup = {"module load python/3.11"};
    std::string s = batch_script(o, spec(), "/ws/rounds/.autokaggle-slurm-R03_experiment");
    BOOST_TEST_MESSAGE(s);
    BOOST_TEST(s.rfind("#!/bin/bash\n#SBATCH --exclusive\n", 0) == 0);
    BOOST_TEST(s.find("sentinel='/ws/rounds/.autokaggle-slurm-R03_experiment'") != std::string::npos);
    BOOST_TEST(s.find("exit 97") != std::string::npos);
    BOOST_TEST(s.find("export WEIRD='a'\\''b c'") != std::string::npos);
    BOOST_TEST(s.find("module load python/3.11\nexec '/usr/bin/python3' -u '/ws/rounds/R03_experiment.py' "
                      "'--data' '/ws/data dir' '--note' 'it'\\''s'\n") != std::string::npos);
    o.python = "/opt/conda/bin/python";
    BOOST_TEST(batch_script(o, spec(), "/s").find("exec '/opt/conda/bin/python'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sbatch_ids) {
    BOOST_TEST(parse_sbatch_id("1234\n").value() == "1234");
    BOOST_TEST(parse_sbatch_id("77;cluster2\n").value() == "77");
    BOOST_TEST(!parse_sbatch_id("sbatch: error: Batch job submission failed\n"));
    BOOST_TEST(!parse_sbatch_id(""));
}

BOOST_AUTO_TEST_CASE(scontrol_lines) {
    auto f = parse_scontrol_line(
        "JobId=12 JobName=autokaggle-R01_experiment UserId=root(0) JobState=FAILED Reason=NonZeroExitCode "
        "Dependency=(null) ExitCode=3:0 Command=/ws/my rounds/R01.sbatch WorkDir=/ws/my rounds");
    BOOST_TEST(f["JobId"] == "12");
    BOOST_TEST(f["JobName"] == "autokaggle-R01_experiment");
    BOOST_TEST(f["JobState"] == "FAILED");
    BOOST_TEST(f["ExitCode"] == "3:0");
    BOOST_TEST(f["Command"] == "/ws/my rounds/R01.sbatch");
    BOOST_TEST(f["WorkDir"] == "/ws/my rounds");
}

BOOST_AUTO_TEST_CASE(job_states_map_onto_run_statuses) {
    for (const char* s : {"PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED", "REQUEUED"}) {
        BOOST_TEST(is_active_state(s), s);
        BOOST_TEST((classify(s, "", "", false).status == RunStatus::running), s);
    }
    auto ok = classify("COMPLETED", "0:0", "None", false);
    BOOST_TEST((ok.status == RunStatus::ok));
    BOOST_TEST(ok.exit_code.value() == 0);
    auto failed = classify("FAILED", "3:0", "NonZeroExitCode", false);
    BOOST_TEST((failed.status == RunStatus::crash));
    BOOST_TEST(failed.exit_code.value() == 3);
    BOOST_TEST(failed.message.find("exit code 3") != std::string::npos);
    auto signalled = classify("FAILED", "0:9", "", false);
    BOOST_TEST(signalled.signal.value() == 9);
    BOOST_TEST(!signalled.exit_code);
    BOOST_TEST((classify("TIMEOUT", "0:15", "", false).status == RunStatus::timeout));
    BOOST_TEST((classify("OUT_OF_MEMORY", "0:125", "", false).status == RunStatus::oom));
    BOOST_TEST((classify("CANCELLED by 0", "0:15", "", true).status == RunStatus::cancelled));
    auto theirs = classify("CANCELLED by 1001", "0:15", "", false);
    BOOST_TEST((theirs.status == RunStatus::crash));
    BOOST_TEST(theirs.message.find("outside AutoKaggle") != std::string::npos);
    BOOST_TEST((classify("NODE_FAIL", "0:0", "", false).status == RunStatus::crash));
    BOOST_TEST(classify("NODE_FAIL", "0:0", "", false).message.find("NODE_FAIL") != std::string::npos);
    auto blind = classify("FAILED", "97:0", "", false);
    BOOST_TEST(blind.message.find("shared filesystem") != std::string::npos);
}

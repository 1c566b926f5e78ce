// The kaggle-kernels runner's text pieces: slugs and titles, path translation for the kernel,
// Kaggle's log format, failure and refusal classification, output names.
#define BOOST_TEST_MODULE runner_kaggle_kernels_text
#include "kernel_source.hpp"

#include <boost/test/unit_test.hpp>

using namespace autokaggle;
using namespace autokaggle::kaggle_kernels;

BOOST_AUTO_TEST_CASE(slugify_follows_kaggle_rules) {
    BOOST_TEST(slugify("autokaggle titanic R03 experiment") == "autokaggle-titanic-r03-experiment");
    BOOST_TEST(slugify("  My__Kernel!! v2 ") == "my-kernel-v2");
    BOOST_TEST(slugify("") == "");
}

BOOST_AUTO_TEST_CASE(titles_fit_fifty_characters_and_keep_the_round) {
    std::string t = kernel_title("", "playground-series-s5e11-very-long-competition-name", "R12_experiment");
    BOOST_TEST(t.size() <= 50u);
    BOOST_TEST(t.find("R12 experiment") != std::string::npos);
    BOOST_TEST(slugify(t).find("r12-experiment") != std::string::npos);
    BOOST_TEST(kernel_title("team x", "titanic", "R03_experiment") == "team x R03 experiment");
    BOOST_TEST(kernel_title("", "titanic", "R03_experiment") == "autokaggle titanic R03 experiment");
}

namespace {

/// Round 3 of a workspace at /ws.
RunSpec round_three() {
    RunSpec spec;
    spec.label = "R03_experiment";
    spec.data_dir = "/ws/data";
    spec.work_dir = "/ws/rounds";
    return spec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(host_paths_become_kernel_placeholders) {
    RunSpec spec = round_three();
    BOOST_TEST(kernel_value(spec, "/ws/data") == "@@AUTOKAGGLE_DATA_DIR@@");
    BOOST_TEST(kernel_value(spec, "/ws/data/train.csv") == "@@AUTOKAGGLE_DATA_DIR@@/train.csv");
    BOOST_TEST(kernel_value(spec, "/ws/rounds/R03_oof.npy") == "@@AUTOKAGGLE_WORKING@@/R03_oof.npy");
    BOOST_TEST(kernel_value(spec, "/ws/roundsX/a") == "/ws/roundsX/a");
    BOOST_TEST(kernel_value(spec, "5") == "5");
}

BOOST_AUTO_TEST_CASE(the_launcher_embeds_arguments_and_roots) {
    RunSpec spec = round_three();
    spec.args = {"--data-dir", "/ws/data"};
    std::string source = launcher_source(spec, "print('x')\n", "titanic");
    BOOST_TEST(source.find("/kaggle/input") != std::string::npos);
    BOOST_TEST(source.find("/kaggle/working") != std::string::npos);
    BOOST_TEST(source.find("/ws/data") == std::string::npos);  // host paths never reach Kaggle
}

BOOST_AUTO_TEST_CASE(input_files_travel_inside_the_launcher) {
    RunSpec spec = round_three();
    spec.inputs = {"/ws/folds/KFold-5-seed42-ab/folds.npy", "/ws/folds/KFold-5-seed42-ab/fit.npy"};
    spec.env = {{"AUTOKAGGLE_FOLDS_FILE", "/ws/folds/KFold-5-seed42-ab/folds.npy"}};
    BOOST_TEST(kernel_value(spec, "/ws/folds/KFold-5-seed42-ab/folds.npy") == "@@AUTOKAGGLE_INPUTS@@/folds.npy");
    BOOST_TEST(kernel_value(spec, "/ws/folds/KFold-5-seed42-ab/fit.npy") == "@@AUTOKAGGLE_INPUTS@@/fit.npy");
    BOOST_TEST(kernel_value(spec, "/ws/folds/other.npy") == "/ws/folds/other.npy");
    std::string source = launcher_source(spec, "print('x')\n", "titanic", {{"folds.npy", "FOLDS"}, {"fit.npy", "FIT"}});
    BOOST_TEST(source.find("/ws/folds") == std::string::npos);  // host paths never reach Kaggle
}

BOOST_AUTO_TEST_CASE(kaggle_logs_are_joined_from_their_entries) {
    std::string log = R"([{"stream_name":"stdout","time":1.5,"data":"FOLD 1 SCORE=0.5\n"})"
                      "\n"
                      R"(,{"stream_name":"stderr","time":2.0,"data":"warn\n"},{"stream_name":"stdout","time":3,"data":"CV_SCORE=0.7\n"}])";
    BOOST_TEST(log_text(log) == "FOLD 1 SCORE=0.5\nwarn\nCV_SCORE=0.7\n");
    BOOST_TEST(log_text("plain text\n") == "plain text\n");
    BOOST_TEST(log_text("[not json") == "[not json");
    BOOST_TEST(log_text("") == "");
}

BOOST_AUTO_TEST_CASE(failure_messages_map_to_outcomes) {
    BOOST_TEST((classify_failure("Your notebook tried to allocate more memory than is available (out of memory)") ==
                RunStatus::oom));
    BOOST_TEST((classify_failure("Kernel exceeded the maximum run time of 12 hours") == RunStatus::timeout));
    BOOST_TEST((classify_failure("ValueError: bad input") == RunStatus::crash));
    BOOST_TEST((classify_failure("") == RunStatus::crash));
}

BOOST_AUTO_TEST_CASE(accelerator_limits_are_recognised) {
    std::string what;
    BOOST_TEST(is_accelerator_limit("You have exceeded your weekly GPU quota of 30 hours", &what));
    BOOST_TEST(what == "weekly accelerator quota");
    BOOST_TEST(is_accelerator_limit("Maximum number of concurrent GPU sessions reached", &what));
    BOOST_TEST(what == "concurrent session limit");
    BOOST_TEST(!is_accelerator_limit("Invalid slug", &what));
}

BOOST_AUTO_TEST_CASE(output_names_stay_inside_the_round) {
    BOOST_TEST(safe_output_name("R03_oof.npy"));
    BOOST_TEST(safe_output_name("sub/file.csv"));
    BOOST_TEST(!safe_output_name("../state.json"));
    BOOST_TEST(!safe_output_name("/etc/passwd"));
    BOOST_TEST(!safe_output_name("a//b"));
    BOOST_TEST(!safe_output_name(""));
}

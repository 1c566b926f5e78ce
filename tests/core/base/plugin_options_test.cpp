// A plugin's options schema is the one place its defaults are written: the host fills them in
// from the schema, and a plugin made without options uses exactly the schema's defaults.
#define BOOST_TEST_MODULE plugin_options
#include "command_scraper.hpp"
#include "kaggle_scraper.hpp"
#include "kaggle_submitter.hpp"
#include "kernels_runner.hpp"
#include "local_runner.hpp"
#include "slurm_runner.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "base/plugin_options.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <stdexcept>
#include <string>

namespace json = boost::json;
namespace fs = std::filesystem;
namespace at = autokaggle::test;
using namespace autokaggle;

namespace {

/// Compares each (option, the value the plugin uses) with the default the schema text states.
void check_defaults(const char* schema, const json::object& used) {
    const json::object parsed = json::parse(schema).as_object();
    for (const auto& [key, value] : used) {
        const json::value& stated = parsed.at(key).as_object().at("default");
        if (stated.is_number())
            BOOST_TEST(value.to_number<double>() == stated.to_number<double>(), std::string(key));
        else
            BOOST_TEST(json::serialize(value) == json::serialize(stated), std::string(key));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filling)

BOOST_AUTO_TEST_CASE(missing_and_null_options_get_the_schema_default_given_ones_stay) {
    const char* schema = R"({"a": {"type": "number", "default": 3}, "b": {"type": "string", "default": "x"},
                             "c": {"type": "string", "required": true}})";
    json::object filled = with_schema_defaults(schema, {{"b", "given"}, {"a", nullptr}});
    BOOST_TEST(json::serialize(filled.at("a")) == "3");
    BOOST_TEST(filled.at("b").as_string() == "given");
    BOOST_TEST(!filled.contains("c"));
    BOOST_CHECK_THROW(option_value(filled, "c"), std::logic_error);
    BOOST_CHECK_THROW(with_schema_defaults("[1]", {}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(typed_reads_name_the_key_path_of_a_value_of_another_type) {
    const json::object o{{"n", "ten"}};
    BOOST_CHECK_EXCEPTION(number_option(o, "runner.options", "n"), ConfigError, [](const ConfigError& e) {
        BOOST_TEST_MESSAGE(e.what());
        return std::string(e.what()) == "runner.options.n must be a number, got \"ten\"";
    });
    BOOST_TEST(strings_option(json::object{{"s", json::array{"a", "b"}}}, "x", "s").size() == 2u);
    BOOST_CHECK_THROW(strings_option(json::object{{"s", json::array{1}}}, "x", "s"), ConfigError);
}

// The host and the plugins fill the same defaults from the same schema, for every shipped plugin.
BOOST_AUTO_TEST_CASE(the_host_fills_what_the_schema_says_for_every_shipped_plugin) {
    PluginHost host({at::plugin_dir()});
    std::set<std::string> seen;
    for (const PluginInfo& info : host.plugins()) {
        std::vector<Diagnostic> diagnostics;
        const json::object by_host = host.validate_options(info, {}, "options", diagnostics);
        const json::object by_plugin = with_schema_defaults(json::serialize(info.options_schema), {});
        BOOST_TEST(json::serialize(by_host) == json::serialize(by_plugin), info.kind << "/" << info.name);
        seen.insert(info.kind + "/" + info.name);
    }
    for (const char* plugin : {"runner/local", "runner/slurm", "runner/kaggle-kernels", "submitter/kaggle",
                               "scraper/kaggle", "scraper/files", "scraper/command", "agent/claude-code",
                               "agent/codex", "agent/llm"})
        BOOST_TEST(seen.count(plugin) == 1u, plugin << " was not loaded from " << at::plugin_dir());
}

BOOST_AUTO_TEST_SUITE_END()

// A plugin made directly, without options, uses the schema's defaults: changing a default in the
// schema alone changes what the plugin does.
BOOST_AUTO_TEST_SUITE(effective_defaults)

BOOST_AUTO_TEST_CASE(of_the_local_runner) {
    const auto o = local_runner::Options::from_json({});
    check_defaults(local_runner::kOptionsSchema,
                   {{"timeout_s", o.timeout_s}, {"memory_mb", o.memory_mb}, {"threads", o.threads},
                    {"kill_grace_s", o.kill_grace_s}, {"log_limit_mb", o.log_limit_mb}, {"network", o.network},
                    {"pass_env", json::value_from(o.pass_env)}});
    BOOST_TEST((o.sandbox == local_runner::Options::Sandbox::automatic));
    check_defaults(local_runner::kOptionsSchema, {{"sandbox", "auto"}});
}

BOOST_AUTO_TEST_CASE(of_the_slurm_runner) {
    at::TempDir dir("autokaggle-slurm-defaults");
    for (const char* tool : {"sbatch", "squeue", "scontrol", "scancel"}) {
        at::write_text(dir.path() / tool, "#!/bin/sh\nexit 0\n");
        fs::permissions(dir.path() / tool, fs::perms::owner_all);
    }
    const auto o = slurm::Options::from_json({{"bin_dir", dir.path().string()}});
    const slurm::JobOptions& j = o.job;
    check_defaults(slurm::kOptionsSchema,
                   {{"partition", j.partition}, {"account", j.account}, {"qos", j.qos}, {"gres", j.gres},
                    {"constraint", j.constraint}, {"cpus", j.cpus}, {"mem_mb", j.mem_mb}, {"timeout_s", j.timeout_s},
                    {"extra_directives", json::value_from(j.extra_directives)}, {"setup", json::value_from(j.setup)},
                    {"python", j.python}, {"job_name_prefix", j.job_name_prefix},
                    {"poll_interval_s", o.poll_interval_s}, {"cancel_wait_s", o.cancel_wait_s},
                    {"scheduler_grace_s", o.scheduler_grace_s}});
}

BOOST_AUTO_TEST_CASE(of_the_kaggle_kernels_runner) {
    const auto o = kaggle_kernels::Options::from_json({{"competition", "titanic"}}, nullptr);
    check_defaults(kaggle_kernels::kOptionsSchema,
                   {{"username", o.username}, {"kernel_slug_prefix", o.kernel_slug_prefix}, {"enable_gpu", o.enable_gpu},
                    {"machine_shape", o.machine_shape}, {"enable_internet", o.enable_internet},
                    {"poll_interval_s", o.poll_interval_s}, {"max_poll_interval_s", o.max_poll_interval_s},
                    {"timeout_s", o.timeout_s}, {"api_grace_s", o.api_grace_s}});
}

BOOST_AUTO_TEST_CASE(of_the_kaggle_submitter_and_scraper) {
    at::TempDir dir("autokaggle-kaggle-defaults");
    at::HostDouble host(dir.path(), "titanic");
    const auto submitter = kaggle_submitter::Options::from_json({}, host);
    check_defaults(kaggle_submitter::options_schema,
                   {{"api_base", submitter.api_base}, {"poll_timeout_s", submitter.poll_timeout_s},
                    {"max_retries", submitter.max_retries}, {"timeout_s", submitter.timeout_s}});
    BOOST_TEST(submitter.competition == "titanic");
    const auto scraper = kaggle_scraper::Options::from_json({}, host);
    check_defaults(kaggle_scraper::options_schema,
                   {{"api_base", scraper.api_base}, {"top_voted", scraper.top_voted}, {"newest", scraper.newest},
                    {"max_sources", scraper.max_sources}, {"leaderboard_top", scraper.leaderboard_top},
                    {"max_retries", scraper.max_retries}, {"discussions", scraper.discussions}});
}

BOOST_AUTO_TEST_CASE(of_the_command_scraper) {
    at::TempDir dir("autokaggle-command-defaults");
    at::HostDouble host(dir.path(), "titanic");
    at::write_text(dir.path() / "scrape.py", "print('hi')\n");
    host.mutable_config()["scraper_path"] = "scrape.py";
    const auto o = command_scraper::Options::from_json({}, host);
    check_defaults(command_scraper::options_schema,
                   {{"timeout_s", o.timeout_s}, {"args", json::value_from(o.args)}});
}

BOOST_AUTO_TEST_SUITE_END()

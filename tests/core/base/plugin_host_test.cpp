// The plugin host against real shared libraries: discovery, every load failure, creation,
// the exception guard and library lifetime.
#include "support/fixture_plugins.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace at = autokaggle::test;
namespace fs = std::filesystem;
using autokaggle::PluginHost;

namespace {

/// The failure recorded for `file`, or "" when there is none.
std::string failure_for(const PluginHost& host, const fs::path& file) {
    for (const auto& f : host.failures())
        if (f.path == file) return f.reason;
    return "";
}

template <class E, class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    BOOST_FAIL("expected an exception");
    return "";
}

bool library_mapped(const fs::path& file) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (at::contains(line, file.string())) return true;
    return false;
}

autokaggle::PluginContext context(std::string instance = "builder") {
    autokaggle::PluginContext ctx;
    ctx.instance = std::move(instance);
    return ctx;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_host)

BOOST_AUTO_TEST_CASE(loads_one_plugin_of_every_kind) {
    PluginHost host({at::good_plugins()});
    BOOST_TEST(host.failures().empty());
    std::set<std::string> kinds;
    for (const auto& p : host.plugins()) kinds.insert(p.kind);
    BOOST_TEST((kinds == std::set<std::string>{"agent", "llm", "metric", "submitter", "scraper", "runner"}));
    const auto& agent = host.find("agent", "fixture-agent");
    BOOST_TEST(agent.version == "1.2.3");
    BOOST_TEST(agent.description == "echo agent for tests");
    BOOST_TEST(agent.path == at::good_plugins() / "autokaggle-fixture-good-agent.so");
    BOOST_TEST((agent.provides == std::vector<std::string>{"binary_classification", "multiclass_classification", "regression"}));
    BOOST_TEST(agent.options_schema.contains("max_turns"));
}

BOOST_AUTO_TEST_CASE(abi_mismatch_is_refused_naming_file_and_both_numbers) {
    PluginHost host({at::fixture("abi-mismatch")});
    BOOST_TEST(host.plugins().empty());
    std::string reason = failure_for(host, at::fixture_library("abi-mismatch"));
    BOOST_TEST(at::contains(reason, "ABI mismatch: got " + std::to_string(AUTOKAGGLE_ABI_VERSION + 1) + ", supported " + std::to_string(AUTOKAGGLE_ABI_VERSION)), reason);
    BOOST_TEST(at::contains(reason, "rebuild the plugin"), reason);
}

BOOST_AUTO_TEST_CASE(an_unresolved_symbol_is_a_load_failure_naming_it) {
    // Lazy binding would load this library and abort at the factory's first call.
    PluginHost host({at::fixture("unresolved-symbol")});
    BOOST_TEST(host.plugins().empty());
    std::string reason = failure_for(host, at::fixture_library("unresolved-symbol"));
    BOOST_TEST(at::contains(reason, "unresolved symbol _ZN10autokaggle30fixture_helper_this_host_lacks"), reason);
    BOOST_TEST(at::contains(reason, "rebuild it against this installation"), reason);
    // A lookup by name shows the failure: the file name carries the plugin's name.
    std::string message = message_of<autokaggle::ConfigError>([&] { host.find("agent", "fixture-unresolved"); });
    BOOST_TEST(at::contains(message, at::fixture_library("unresolved-symbol").string() + ": unresolved symbol"), message);
}

BOOST_AUTO_TEST_CASE(library_without_descriptor_is_not_a_plugin) {
    PluginHost host({at::fixture("not-a-plugin")});
    std::string reason = failure_for(host, at::fixture_library("not-a-plugin"));
    BOOST_TEST(at::contains(reason, "no autokaggle_descriptor symbol: not an AutoKaggle plugin"), reason);
}

BOOST_AUTO_TEST_CASE(missing_factory_is_a_load_failure) {
    PluginHost host({at::fixture("missing-factory")});
    std::string reason = failure_for(host, at::fixture_library("missing-factory"));
    BOOST_TEST(at::contains(reason, "no autokaggle_factory symbol"), reason);
    // A lookup by name points at the failure, so the user sees why the plugin is missing.
    std::string message = message_of<autokaggle::ConfigError>([&] { host.find("agent", "fixture-no-factory"); });
    BOOST_TEST(at::contains(message, at::fixture_library("missing-factory").string()), message);
    BOOST_TEST(at::contains(message, "no autokaggle_factory symbol"), message);
}

BOOST_AUTO_TEST_CASE(unknown_kind_is_refused) {
    PluginHost host({at::fixture("unknown-kind")});
    std::string reason = failure_for(host, at::fixture_library("unknown-kind"));
    BOOST_TEST(at::contains(reason, "unknown plugin kind 'widget'"), reason);
    BOOST_TEST(at::contains(reason, "agent, llm, metric, submitter, scraper, runner"), reason);
}

BOOST_AUTO_TEST_CASE(invalid_options_schema_is_refused) {
    PluginHost host({at::fixture("bad-schema")});
    std::string reason = failure_for(host, at::fixture_library("bad-schema"));
    BOOST_TEST(at::contains(reason, "option 'depth'"), reason);
    BOOST_TEST(at::contains(reason, "string, number, integer, boolean, array, object"), reason);
}

BOOST_AUTO_TEST_CASE(duplicate_name_keeps_the_first_in_search_order) {
    PluginHost host({at::good_plugins(), at::fixture("duplicate-agent")});
    BOOST_TEST(host.find("agent", "fixture-agent").version == "1.2.3");
    std::string reason = failure_for(host, at::fixture_library("duplicate-agent"));
    BOOST_TEST(at::contains(reason, "duplicate plugin agent/fixture-agent: already loaded from " +
                                        (at::good_plugins() / "autokaggle-fixture-good-agent.so").string()),
               reason);
    // The reverse order makes the other one win: the search order is the priority.
    PluginHost reversed({at::fixture("duplicate-agent"), at::good_plugins()});
    BOOST_TEST(reversed.find("agent", "fixture-agent").version == "9.9.9");
}

BOOST_AUTO_TEST_CASE(the_same_folder_twice_is_scanned_once) {
    PluginHost host({at::good_plugins(), at::good_plugins() / "." , at::good_plugins()});
    BOOST_TEST(host.failures().empty());
    BOOST_TEST(host.plugins().size() == 6u);
}

BOOST_AUTO_TEST_CASE(not_found_lists_folders_names_and_related_failures) {
    fs::path missing = "/nonexistent/autokaggle-plugins";
    PluginHost host({missing, at::good_plugins(), at::fixture("factory-null")});
    std::string message = message_of<autokaggle::ConfigError>([&] { host.find("agent", "autopilot"); });
    BOOST_TEST(at::contains(message, "agent plugin 'autopilot' not found"), message);
    BOOST_TEST(at::contains(message, missing.string() + " (does not exist)"), message);
    BOOST_TEST(at::contains(message, at::good_plugins().string()), message);
    BOOST_TEST(at::contains(message, at::fixture("factory-null").string()), message);
    BOOST_TEST(at::contains(message, "agent plugins found: fixture-agent, fixture-null"), message);

    PluginHost with_abi({at::fixture("abi-mismatch")});
    message = message_of<autokaggle::ConfigError>([&] { with_abi.find("agent", "abi-mismatch"); });
    BOOST_TEST(at::contains(message, "ABI mismatch: got " + std::to_string(AUTOKAGGLE_ABI_VERSION + 1)), message);
}

BOOST_AUTO_TEST_CASE(wrong_kind_is_named) {
    PluginHost host({at::good_plugins()});
    std::string message = message_of<autokaggle::ConfigError>([&] { host.find("agent", "fixture-metrics"); });
    BOOST_TEST(at::contains(message, "'fixture-metrics' is a metric plugin, not an agent"), message);
}

BOOST_AUTO_TEST_CASE(search_path_order_is_config_then_environment_then_executable) {
    at::ScopedEnv env("AUTOKAGGLE_PLUGIN_PATH", "/env/one::/env/two");
    auto dirs = PluginHost::search_path({"/config/dir"});
    BOOST_TEST_REQUIRE(dirs.size() == 4u);
    BOOST_TEST(dirs[0] == fs::path("/config/dir"));
    BOOST_TEST(dirs[1] == fs::path("/env/one"));
    BOOST_TEST(dirs[2] == fs::path("/env/two"));
    // This test binary lives in build/bin, like the CLI: the last folder is the build's plugins.
    BOOST_TEST(fs::weakly_canonical(dirs[3]) == fs::weakly_canonical(at::plugin_dir()));
}

BOOST_AUTO_TEST_CASE(find_metric_matches_names_and_at_k_patterns) {
    PluginHost host({at::good_plugins()});
    BOOST_TEST_REQUIRE(host.find_metric("fixture_count") != nullptr);
    BOOST_TEST(host.find_metric("fixture_count")->name == "fixture-metrics");
    BOOST_TEST(host.find_metric("fixture_top@3") != nullptr);
    BOOST_TEST(host.find_metric("fixture_top@12") != nullptr);
    BOOST_TEST(host.find_metric("fixture_top@") == nullptr);
    BOOST_TEST(host.find_metric("fixture_top@x") == nullptr);
    BOOST_TEST(host.find_metric("fixture_top@0") == nullptr);
    BOOST_TEST(host.find_metric("auc_roc") == nullptr);
    std::string message = message_of<autokaggle::ConfigError>([&] { host.create_metric("auc_roc", context()); });
    BOOST_TEST(at::contains(message, "available metrics: fixture_count, fixture_top@k"), message);
}

BOOST_AUTO_TEST_CASE(creates_and_forwards_every_kind) {
    PluginHost host({at::good_plugins()});
    auto agent = host.create_agent("fixture-agent", context("reviewer"));
    autokaggle::PhaseRequest request;
    BOOST_TEST(agent->run_phase(request) == "DONE reviewer");
    BOOST_TEST(agent->session_id() == "session-reviewer");

    auto llm = host.create_llm("fixture-llm", context("fast"));
    BOOST_TEST(llm->chat({}).message.text == "hello");
    BOOST_TEST(llm->context_window() == 1000);

    auto metric = host.create_metric("fixture_top@5", context("fixture_top@5"));
    BOOST_TEST(metric->name() == "fixture_top@5");
    BOOST_TEST((metric->direction() == autokaggle::Direction::lower));
    std::vector<double> truth{1, 2, 3}, pred{1, 2, 3};
    autokaggle::MetricInput input;
    input.truth = truth;
    input.pred = pred;
    BOOST_TEST(metric->score(input) == 3.0);

    auto submitter = host.create_submitter("fixture-submitter", context(""));
    BOOST_TEST(submitter->quota()->limit == 5);
    auto scraper = host.create_scraper("fixture-scraper", context(""));
    BOOST_TEST(scraper->scrape({}).summary == "nothing new");
    auto runner = host.create_runner("fixture-runner", context(""));
    auto handle = runner->start({});
    BOOST_TEST((handle->poll(0).status == autokaggle::RunStatus::ok));
    BOOST_TEST(runner->attach({}, {}) == nullptr);
    // Run handles are guarded too.
    std::string message = message_of<autokaggle::Error>([&] { handle->cancel("stop"); });
    BOOST_TEST(message == "runner plugin 'fixture-runner': already finished");
}

BOOST_AUTO_TEST_CASE(create_checks_the_kind) {
    PluginHost host({at::good_plugins()});
    std::string message = message_of<autokaggle::ConfigError>([&] { host.create_runner("fixture-agent", context("")); });
    BOOST_TEST(at::contains(message, "runner plugin 'fixture-agent' not found"), message);
    BOOST_TEST(at::contains(message, "is an agent plugin, not a runner"), message);
}

BOOST_AUTO_TEST_CASE(factory_that_throws_becomes_a_host_error) {
    PluginHost host({at::fixture("factory-throws")});
    std::string message = message_of<autokaggle::Error>([&] { host.create_agent("fixture-throws", context()); });
    BOOST_TEST(message == "agent plugin 'fixture-throws': model file weights.bin is missing");
}

BOOST_AUTO_TEST_CASE(factory_returning_null_is_refused) {
    PluginHost host({at::fixture("factory-null")});
    std::string message = message_of<autokaggle::Error>([&] { host.create_agent("fixture-null", context("builder")); });
    BOOST_TEST(at::contains(message, "agent plugin 'fixture-null': the factory returned no object for 'builder'"), message);
    BOOST_TEST(at::contains(message, at::fixture_library("factory-null").string()), message);
}

BOOST_AUTO_TEST_CASE(guard_keeps_the_error_category_and_adds_the_plugin_name) {
    PluginHost host({at::good_plugins()});
    auto agent = host.create_agent("fixture-agent", context());
    auto run = [&](const std::string& trigger) {
        autokaggle::PhaseRequest r;
        r.trigger = trigger;
        return agent->run_phase(r);
    };
    const std::string prefix = "agent plugin 'fixture-agent': ";
    BOOST_TEST(message_of<autokaggle::Cancelled>([&] { run("throw-cancelled"); }) == prefix + "stop requested");
    BOOST_TEST(message_of<autokaggle::ConfigError>([&] { run("throw-config"); }) ==
               prefix + "option llm names no configuration");
    BOOST_TEST(message_of<autokaggle::MetricError>([&] { run("throw-metric"); }) == prefix + "length mismatch");
    try {
        run("throw-service");
        BOOST_FAIL("expected ServiceError");
    } catch (const autokaggle::ServiceError& e) {
        BOOST_TEST(std::string(e.what()) == prefix + "rate limited");
        BOOST_TEST(e.status() == 429);
        BOOST_TEST(e.type() == "rate_limit_error");
        BOOST_TEST(e.request_id() == "req-123");
    }
    // A plain std:: exception becomes an Error, not a more specific category.
    try {
        run("throw-runtime");
        BOOST_FAIL("expected Error");
    } catch (const autokaggle::ConfigError&) {
        BOOST_FAIL("a runtime_error must not become a ConfigError");
    } catch (const autokaggle::Error& e) {
        BOOST_TEST(std::string(e.what()) == prefix + "disk full");
    }
    BOOST_TEST(at::contains(message_of<autokaggle::Error>([&] { run("throw-int"); }), prefix), "non-standard exception");
    BOOST_TEST(message_of<autokaggle::Error>([&] { agent->respawn("summary.md"); }) == prefix + "respawn failed");
}

BOOST_AUTO_TEST_CASE(objects_keep_their_library_loaded) {
    fs::path file = at::fixture_library("duplicate-agent");
    std::shared_ptr<autokaggle::Agent> agent;
    {
        PluginHost host({at::fixture("duplicate-agent")});
        BOOST_TEST_REQUIRE(library_mapped(file));
        agent = host.create_agent("fixture-agent", context("researcher"));
    }
    // The host is gone; the object still works because it holds the library.
    BOOST_TEST(library_mapped(file));
    BOOST_TEST(agent->run_phase({}) == "DONE researcher");
    agent.reset();  // destroys the plugin object, then unloads the library (no crash on the way)
    BOOST_TEST(!library_mapped(file));
}

BOOST_AUTO_TEST_CASE(validate_options_fills_defaults_and_reports_problems) {
    PluginHost host({at::good_plugins()});
    const auto& agent = host.find("agent", "fixture-agent");
    std::vector<autokaggle::Diagnostic> diags;
    auto options = host.validate_options(agent, boost::json::parse(R"({"max_turns": 3})").as_object(),
                                         "agents.builder.options", diags);
    BOOST_TEST(diags.empty());
    BOOST_TEST(options.at("max_turns").as_int64() == 3);
    BOOST_TEST(options.at("llm").as_string() == "strong");
    BOOST_TEST(options.at("temperature").as_double() == 0.5);
    BOOST_TEST(options.at("tools").as_array().size() == 2u);

    // An integer is a valid number; a whole double is a valid integer.
    options = host.validate_options(agent, boost::json::parse(R"({"temperature": 1, "max_turns": 4.0})").as_object(),
                                    "agents.builder.options", diags);
    BOOST_TEST(diags.empty());

    host.validate_options(agent, boost::json::parse(R"({"max_turn": 3, "verbose": "yes", "max_turns": 2.5})").as_object(),
                          "agents.builder.options", diags);
    BOOST_TEST_REQUIRE(diags.size() == 3u);
    std::map<std::string, std::string> by_path;
    for (const auto& d : diags) by_path[d.key_path] = d.message;
    BOOST_TEST(at::contains(by_path["agents.builder.options.max_turn"], "did you mean 'max_turns'"));
    BOOST_TEST(at::contains(by_path["agents.builder.options.verbose"], "found string \"yes\", expected boolean"));
    BOOST_TEST(at::contains(by_path["agents.builder.options.max_turns"], "found number 2.5, expected integer"),
               by_path["agents.builder.options.max_turns"]);

    diags.clear();
    host.validate_options(host.find("submitter", "fixture-submitter"),
                          boost::json::parse(R"({"depth": 1})").as_object(), "submitter.options", diags);
    BOOST_TEST_REQUIRE(diags.size() == 1u);
    BOOST_TEST(at::contains(diags[0].message, "takes no options"));
}

BOOST_AUTO_TEST_SUITE_END()

// What the coding-agent tests share: a workspace with role prompts driven through a HostDouble,
// the real claude-code and codex plugins created through the plugin host, environment variables
// set for the life of an object, and phase requests.
#pragma once

#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

namespace autokaggle::test {

/// setenv for the life of the object (the CLIs the plugins start inherit the environment).
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

/// A workspace under `root` with prompts/<role>.md, rounds/ and data/train.csv, and a host for it.
struct AgentWorkspace {
    std::filesystem::path root;
    HostDouble host{root};
    PluginHost plugins{{plugin_dir()}};

    explicit AgentWorkspace(std::filesystem::path workspace, bool create = true) : root(std::move(workspace)) {
        host.mutable_competition() = binary_competition("playground-test", host.paths().data);
        if (!create) return;
        for (const char* role : {"researcher", "builder", "reviewer"})
            write_text(root / "prompts" / (std::string(role) + ".md"),
                       std::string("You are the {{role}} of a Kaggle campaign on {{competition}}.\n") +
                           "The metric is {{metric}} ({{metric_direction}} is better).\n");
        std::filesystem::create_directories(root / "rounds");
        write_text(root / "data" / "train.csv", "id,target\n1,0\n");
    }

    /// Creates an agent through the plugin host, options validated against its schema.
    std::shared_ptr<Agent> agent(const std::string& plugin, const std::string& role, boost::json::object options) {
        const PluginInfo& info = plugins.find("agent", plugin);
        std::vector<Diagnostic> diagnostics;
        PluginContext ctx;
        ctx.instance = role;
        ctx.options = plugins.validate_options(info, options, "agents." + role + ".options", diagnostics);
        for (const auto& d : diagnostics) BOOST_TEST_MESSAGE("option diagnostic: " << d.format());
        BOOST_REQUIRE(diagnostics.empty());
        ctx.host = &host;
        return plugins.create_agent(plugin, ctx);
    }

    PhaseRequest request(int round, Phase phase, const std::string& output) const {
        PhaseRequest r;
        r.round = round;
        r.phase = phase;
        r.trigger = "Do the " + std::string(to_string(phase)) + " phase of round " + std::to_string(round) + ".";
        r.output = root / "rounds" / output;
        r.inputs = {root / "data" / "train.csv"};
        return r;
    }

    /// agents/<role>/session.json
    boost::json::object session_file(const std::string& role) const {
        return boost::json::parse(read_text(root / "agents" / role / "session.json")).as_object();
    }
};

/// The message of what `fn` throws, or "(no error)".
template <class Fn>
std::string error_of(Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace autokaggle::test

// For the tools' integration tests: a workspace copied from the shipped pima-diabetes
// competition (held-out answers beside it) with the real plugins and the tools built as
// `autokaggle mcp` builds them, experiment scripts that follow the contract, and Kaggle
// credentials pointed at a fake (or none at all).
#pragma once

#include "base/config.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "orchestrator/standalone_tools.hpp"

#include "support/scripted_competitor.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace autokaggle::test {

struct ToolWorkspace {
    /// `overrides`: top-level config.json keys to replace.
    explicit ToolWorkspace(boost::json::object overrides = {});

    /// Writes state.json as the orchestrator would at `round`, `phase`, with a best CV so far.
    void set_state(int round, const std::string& phase, std::optional<double> best_cv = std::nullopt) const;
    void write(const std::string& relative, const std::string& text) const;
    ToolResult call(const std::string& role, const std::string& name, boost::json::object args);

    TempDir dir{"autokaggle-tools"};
    fs::path ws;
    std::unique_ptr<PluginHost> plugins;
    std::optional<Config> config;
    Logger logger{{}, true};
    std::unique_ptr<StandaloneTools> tools;
};

/// Sets (and restores) environment variables; a null value unsets.
class ScopedEnvironment {
public:
    explicit ScopedEnvironment(std::map<std::string, const char*> values);
    ~ScopedEnvironment();
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
    std::map<std::string, std::optional<std::string>> old_;
};

/// Kaggle credentials (the fake user and key) pointed at `api_base`, nothing else found.
struct ScopedCredentials {
    explicit ScopedCredentials(const std::string& api_base);
    TempDir home{"autokaggle-home"};
    std::string base;
    ScopedEnvironment env;
};

/// No Kaggle credentials anywhere (a fresh HOME and config folder).
struct NoCredentials {
    NoCredentials();
    TempDir home{"autokaggle-home"};
    ScopedEnvironment env;
};

}  // namespace autokaggle::test

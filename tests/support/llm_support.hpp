// For the LLM tests: a HostServices over a temporary workspace that loads the real provider and
// agent plugins from the build tree, and scripted fake models speaking both wire formats.
#pragma once

#include "support/fake_server.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include "base/plugin_host.hpp"
#include "tools/tool_host.hpp"
#include "tools/tool_surface.hpp"

#include <autokaggle/sdk/agent.hpp>
#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/llm.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace autokaggle::test {

/// A key value that must never show up in any file or log.
inline constexpr const char* kFakeKey = "sk-fake-AUTOKAGGLE-7f3a9c1e5d";

/// The ServiceError `call` throws; the test fails when it returns instead.
template <class Call>
ServiceError service_error_from(Call&& call) {
    try {
        call();
    } catch (const ServiceError& e) {
        return e;
    }
    BOOST_FAIL("expected a ServiceError");
    return ServiceError("unreachable");
}

/// Sets the variable for the lifetime of the object, restoring the old value after.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const char* value);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

/// The shared HostDouble with the real provider and agent plugins from the build tree: llm()
/// creates the configured providers, run_experiment() runs scripts in a real Python process,
/// the core's tools (core/tools) are served over the workspace, and the log is mirrored to
/// logs/autokaggle.log (so file leak checks see it).
class TestHost final : public HostDouble {
public:
    /// A workspace in `root` with a tiny binary-classification data set in data/.
    explicit TestHost(const std::filesystem::path& root);

    /// Registers an LLM configuration: plugin "anthropic" or "openai" with its options.
    void add_llm(const std::string& name, const std::string& plugin, boost::json::object options);
    /// Creates the `llm` agent plugin for a role with these options (validated like config.json).
    std::shared_ptr<Agent> make_agent(const std::string& role, boost::json::object options);
    /// A provider created directly (options validated).
    std::shared_ptr<LlmProvider> make_provider(const std::string& plugin, boost::json::object options,
                                               const std::string& name = "test");

    LlmProvider& llm(std::string_view configuration_name) override;
    /// Runs the script with the contract's arguments in a real Python process.
    ExperimentResult run_experiment(const ExperimentRequest& request) override;
    std::vector<ToolSpec> tool_specs(std::string_view role) override;
    ToolResult call_tool(const ToolCallContext& context, const ToolCall& call) override;
    /// The contexts of every tool call, in order.
    std::vector<ToolCallContext> tool_contexts() const;

    PluginHost& plugins() { return plugins_; }

private:
    boost::json::object validated(const std::string& kind, const std::string& plugin, const boost::json::object& options) const;

    tools::ToolSurface& surface();

    PluginHost plugins_;
    std::unique_ptr<tools::PluginToolHost> tool_host_;
    std::unique_ptr<tools::ToolSurface> surface_;
    std::vector<ToolCallContext> tool_contexts_;
    mutable std::mutex mutex_;
    std::map<std::string, std::pair<std::string, boost::json::object>> llm_configs_;
    std::map<std::string, std::shared_ptr<LlmProvider>, std::less<>> llms_;
};

/// One scripted model turn: given the parsed request body, the reply's JSON body.
using ModelTurn = std::function<std::string(const boost::json::object& request)>;

// Replies in the Anthropic Messages format. Usage input_tokens = request bytes / 4.
ModelTurn anthropic_text(std::string text);
ModelTurn anthropic_tool(std::string id, std::string name, boost::json::object input);
// Replies in the OpenAI Chat Completions format; `arguments` is sent verbatim as the string.
ModelTurn openai_text(std::string text);
ModelTurn openai_tool(std::string id, std::string name, std::string arguments);

/// A fake model on a FakeServer: each request to `path` gets the next scripted turn; when none
/// is queued, the previous one repeats. The server records the requests.
class ScriptedModel {
public:
    ScriptedModel(FakeServer& server, std::string path);
    void push(ModelTurn turn);
    std::size_t calls() const;

private:
    struct State {
        std::mutex mutex;
        std::deque<ModelTurn> turns;
        ModelTurn last;  ///< repeated once the queue is empty
        std::size_t calls = 0;
    };
    std::shared_ptr<State> state_;
};

/// Every file under `dir` (recursively) whose content contains `needle`.
std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir, const std::string& needle);

}  // namespace autokaggle::test

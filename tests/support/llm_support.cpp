#include "support/llm_support.hpp"

#include "base/config.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>

namespace autokaggle::test {

namespace fs = std::filesystem;
namespace json = boost::json;

ScopedEnv::ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) ::setenv(name_.c_str(), value, 1);
    else ::unsetenv(name_.c_str());
}

ScopedEnv::~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
}

namespace {

void write_tiny_dataset(const fs::path& data) {
    std::string train = "id,x1,x2,target\n", test = "id,x1,x2\n", sample = "id,target\n";
    for (int i = 0; i < 120; ++i) {
        const double x1 = (i * 37 % 101) / 100.0, x2 = (i * 53 % 97) / 97.0;
        const int y = (x1 + 0.3 * x2 + ((i * 7) % 5) * 0.05 > 0.7) ? 1 : 0;
        train += std::to_string(i) + "," + std::to_string(x1) + "," + std::to_string(x2) + "," + std::to_string(y) + "\n";
    }
    for (int i = 0; i < 40; ++i) {
        test += std::to_string(1000 + i) + "," + std::to_string((i * 13 % 41) / 40.0) + "," + std::to_string((i * 7 % 23) / 22.0) + "\n";
        sample += std::to_string(1000 + i) + ",0.5\n";
    }
    write_text(data / "train.csv", train);
    write_text(data / "test.csv", test);
    write_text(data / "sample_submission.csv", sample);
}


}  // namespace

TestHost::TestHost(const fs::path& root)
    : HostDouble(fs::weakly_canonical(root), "tiny-binary"), plugins_(std::vector<fs::path>{plugin_dir()}) {
    offer_metric(plugins_);
    const WorkspacePaths& p = paths();
    for (const auto& d : {p.data, p.rounds, p.agents, p.logs, p.knowledge}) fs::create_directories(d);
    write_tiny_dataset(p.data);
    write_text(p.learnings, "# Learnings\n- Fit encoders inside folds.\n");
    write_text(p.results, "round\tscript\tcv_score\tlb\tstatus\tsubmitted\ttimestamp\tdescription\n");
    CompetitionInfo& c = mutable_competition();
    c = binary_competition("tiny-binary", p.data);
    c.cv_folds = 3;
    c.deadline = "2030-01-01";
    mirror_log_to(p.logs / "autokaggle.log");
}

json::object TestHost::validated(const std::string& kind, const std::string& plugin, const json::object& options) const {
    std::vector<Diagnostic> diagnostics;
    json::object result = plugins_.validate_options(plugins_.find(kind, plugin), options, kind + "." + plugin, diagnostics);
    for (const auto& d : diagnostics)
        if (d.severity == Diagnostic::Severity::error) throw ConfigError(d.format());
    return result;
}

void TestHost::add_llm(const std::string& name, const std::string& plugin, json::object options) {
    std::lock_guard lock(mutex_);
    llm_configs_[name] = {plugin, std::move(options)};
}

std::shared_ptr<LlmProvider> TestHost::make_provider(const std::string& plugin, json::object options, const std::string& name) {
    PluginContext context;
    context.instance = name;
    context.options = validated("llm", plugin, options);
    context.host = this;
    return plugins_.create_llm(plugin, context);
}

std::shared_ptr<Agent> TestHost::make_agent(const std::string& role, json::object options) {
    PluginContext context;
    context.instance = role;
    context.options = validated("agent", "llm", options);
    context.host = this;
    return plugins_.create_agent("llm", context);
}

LlmProvider& TestHost::llm(std::string_view name) {
    std::pair<std::string, json::object> config;
    {
        std::lock_guard lock(mutex_);
        if (auto it = llms_.find(name); it != llms_.end()) return *it->second;
        auto c = llm_configs_.find(std::string(name));
        if (c == llm_configs_.end()) throw ConfigError("llms." + std::string(name) + ": no LLM configuration of that name");
        config = c->second;
    }
    auto provider = make_provider(config.first, config.second, std::string(name));
    std::lock_guard lock(mutex_);
    auto& ref = *provider;
    llms_.emplace(std::string(name), std::move(provider));
    return ref;
}

ExperimentResult TestHost::run_experiment(const ExperimentRequest& request) {
    char tag[16];
    std::snprintf(tag, sizeof tag, "R%02d", request.round);
    ExperimentResult r;
    r.oof_file = paths().rounds / (std::string(tag) + "_oof.npy");
    r.test_file = paths().rounds / (std::string(tag) + "_test.npy");
    r.log_file = paths().rounds / (std::string(tag) + "_run.log");
    const auto started = std::chrono::steady_clock::now();
    const auto p = run_process({competition().python.string(), request.script.string(), "--data-dir", paths().data.string(),
                                "--oof-out", r.oof_file.string(), "--test-out", r.test_file.string(), "--oof-partial",
                                (paths().rounds / (std::string(tag) + "_oof_partial.npy")).string(), "--folds",
                                std::to_string(competition().cv_folds), "--seed", std::to_string(competition().seed)},
                               paths().rounds);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string log = p.out + p.err;
    write_text(r.log_file, log);
    r.exit_code = p.exit_code;
    r.status = p.exit_code == 0 ? RunStatus::ok : RunStatus::crash;
    const std::regex fold(R"(FOLD (\d+) SCORE=([-0-9.eE]+))"), cv(R"(CV_SCORE=([-0-9.eE]+))");
    for (std::sregex_iterator it(log.begin(), log.end(), fold), end; it != end; ++it) r.fold_scores.push_back(std::stod((*it)[2]));
    std::smatch m;
    if (std::regex_search(log, m, cv)) r.claimed_cv = std::stod(m[1]);
    r.log_tail = log.size() > 2000 ? log.substr(log.size() - 2000) : log;
    return r;
}

tools::ToolSurface& TestHost::surface() {
    std::lock_guard lock(mutex_);
    if (!surface_) {
        tools::ToolSettings settings;
        settings.submitter.plugin.clear();  // no leaderboard here
        tool_host_ = std::make_unique<tools::PluginToolHost>(*this, plugins_, settings);
        surface_ = std::make_unique<tools::ToolSurface>(tools::standard_tools(*tool_host_, tool_host_->settings()));
    }
    return *surface_;
}

std::vector<ToolSpec> TestHost::tool_specs(std::string_view role) { return surface().specs(role); }

ToolResult TestHost::call_tool(const ToolCallContext& context, const ToolCall& call) {
    {
        std::lock_guard lock(mutex_);
        tool_contexts_.push_back(context);
    }
    return surface().call(context, call);
}

std::vector<ToolCallContext> TestHost::tool_contexts() const {
    std::lock_guard lock(mutex_);
    return tool_contexts_;
}

// --- Scripted models ---------------------------------------------------------------------------

namespace {

json::object anthropic_usage(const json::object& request) {
    const auto bytes = static_cast<std::int64_t>(json::serialize(request).size());
    return {{"input_tokens", bytes / 4}, {"output_tokens", 20}, {"cache_creation_input_tokens", 10}, {"cache_read_input_tokens", 5}};
}

json::object openai_usage(const json::object& request) {
    const auto bytes = static_cast<std::int64_t>(json::serialize(request).size());
    return {{"prompt_tokens", bytes / 4}, {"completion_tokens", 20}, {"total_tokens", bytes / 4 + 20}};
}

}  // namespace

ModelTurn anthropic_text(std::string text) {
    return [text](const json::object& request) {
        return json::serialize(json::object{{"id", "msg_text"}, {"type", "message"}, {"role", "assistant"},
                                            {"model", "claude-test-1"},
                                            {"content", json::array{json::object{{"type", "text"}, {"text", text}}}},
                                            {"stop_reason", "end_turn"}, {"usage", anthropic_usage(request)}});
    };
}

ModelTurn anthropic_tool(std::string id, std::string name, json::object input) {
    return [id, name, input](const json::object& request) {
        return json::serialize(json::object{
            {"id", "msg_tool"}, {"type", "message"}, {"role", "assistant"}, {"model", "claude-test-1"},
            {"content", json::array{json::object{{"type", "text"}, {"text", "Let me use a tool."}},
                                    json::object{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", input}}}},
            {"stop_reason", "tool_use"}, {"usage", anthropic_usage(request)}});
    };
}

ModelTurn openai_text(std::string text) {
    return [text](const json::object& request) {
        return json::serialize(json::object{
            {"id", "chatcmpl-1"}, {"object", "chat.completion"}, {"model", "qwen-test"},
            {"choices", json::array{json::object{{"index", 0}, {"message", json::object{{"role", "assistant"}, {"content", text}}},
                                                 {"finish_reason", "stop"}}}},
            {"usage", openai_usage(request)}});
    };
}

ModelTurn openai_tool(std::string id, std::string name, std::string arguments) {
    return [id, name, arguments](const json::object& request) {
        json::object call{{"type", "function"}, {"function", json::object{{"name", name}, {"arguments", arguments}}}};
        if (!id.empty()) call["id"] = id;
        return json::serialize(json::object{
            {"id", "chatcmpl-2"}, {"object", "chat.completion"}, {"model", "qwen-test"},
            {"choices", json::array{json::object{{"index", 0},
                                                 {"message", json::object{{"role", "assistant"}, {"content", nullptr},
                                                                          {"tool_calls", json::array{call}}}},
                                                 {"finish_reason", "tool_calls"}}}},
            {"usage", openai_usage(request)}});
    };
}

ScriptedModel::ScriptedModel(FakeServer& server, std::string path) : state_(std::make_shared<State>()) {
    server.route("POST", path, [state = state_](const RecordedRequest& r) {
        ModelTurn turn;
        {
            std::lock_guard lock(state->mutex);
            ++state->calls;
            if (!state->turns.empty()) {
                state->last = std::move(state->turns.front());
                state->turns.pop_front();
            }
            if (!state->last) return FakeResponse::json(500, R"({"error":{"message":"no scripted turn"}})");
            turn = state->last;
        }
        auto response = FakeResponse::json(200, turn(json::parse(r.body).as_object()));
        response.headers.set("request-id", "req_fake");
        return response;
    });
}

void ScriptedModel::push(ModelTurn turn) {
    std::lock_guard lock(state_->mutex);
    state_->turns.push_back(std::move(turn));
}

std::size_t ScriptedModel::calls() const {
    std::lock_guard lock(state_->mutex);
    return state_->calls;
}

std::vector<fs::path> files_containing(const fs::path& dir, const std::string& needle) {
    std::vector<fs::path> hits;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        if (read_text(e.path()).find(needle) != std::string::npos) hits.push_back(e.path());
    }
    return hits;
}

}  // namespace autokaggle::test

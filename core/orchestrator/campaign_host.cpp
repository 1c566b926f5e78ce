#include "orchestrator/campaign_host.hpp"

#include "base/atomic_file.hpp"
#include "tools/prompt_facts.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/llm.hpp>

#include <cstdio>
#include <sstream>

namespace autokaggle {

CampaignHost::CampaignHost(const Config& config, WorkspacePaths paths, const PluginHost& plugins, Logger& logger)
    : config_(config), competition_(config.competition), paths_(std::move(paths)), plugins_(plugins), logger_(logger) {}

void CampaignHost::set_round_limit(std::optional<int> last_round) {
    competition_.max_rounds = last_round && *last_round > 0 ? *last_round : 0;
}

void CampaignHost::log(LogLevel level, std::string_view source, std::string_view message) {
    logger_.log(level, source, message);
}

void CampaignHost::set_stop_check(StopCheck check) {
    std::lock_guard lock(mutex_);
    stop_check_ = std::move(check);
}

void CampaignHost::set_experiment_runner(ExperimentFn fn) {
    std::lock_guard lock(mutex_);
    experiment_ = std::move(fn);
}

std::string CampaignHost::stop_reason() const {
    StopCheck check;
    {
        std::lock_guard lock(mutex_);
        check = stop_check_;
    }
    return check ? check() : std::string();
}

bool CampaignHost::cancel_requested() const { return !stop_reason().empty(); }

void CampaignHost::report_usage(std::string_view role, const Usage& usage) {
    std::lock_guard lock(mutex_);
    by_role_[std::string(role)] += usage;
    by_round_[round_.load()] += usage;
    try {
        write_usage_table(paths_.root / "usage.tsv", by_round_);
    } catch (const std::exception& e) {
        logger_.log(LogLevel::warn, "orchestrator", std::string("usage.tsv not updated: ") + e.what());
    }
}

void write_usage_table(const std::filesystem::path& file, const std::map<int, Usage>& by_round) {
    std::ostringstream out;
    out << "round\tinput_tokens\tcache_write_tokens\tcache_read_tokens\toutput_tokens\tusd\n";
    auto row = [&](const std::string& label, const Usage& u) {
        char usd[32];
        std::snprintf(usd, sizeof usd, "%.6f", u.usd);
        out << label << "\t" << u.input_tokens << "\t" << u.cache_creation_input_tokens << "\t"
            << u.cache_read_input_tokens << "\t" << u.output_tokens << "\t" << usd << "\n";
    };
    Usage total;
    for (const auto& [round, u] : by_round) {
        row(std::to_string(round), u);
        total += u;
    }
    row("total", total);
    atomic_write(file, out.str());
}

void CampaignHost::restore_usage(std::map<std::string, Usage> by_role, std::map<int, Usage> by_round) {
    std::lock_guard lock(mutex_);
    by_role_ = std::move(by_role);
    by_round_ = std::move(by_round);
}

std::map<std::string, Usage> CampaignHost::usage_by_role() const {
    std::lock_guard lock(mutex_);
    return by_role_;
}

std::map<int, Usage> CampaignHost::usage_by_round() const {
    std::lock_guard lock(mutex_);
    return by_round_;
}

Usage CampaignHost::total_usage() const {
    std::lock_guard lock(mutex_);
    Usage total;
    for (const auto& [role, u] : by_role_) total += u;
    return total;
}

LlmProvider& CampaignHost::llm(std::string_view name) {
    std::lock_guard lock(mutex_);
    if (auto it = llms_.find(name); it != llms_.end()) return *it->second;
    const auto selection = config_.llms.find(std::string(name));
    if (selection == config_.llms.end()) {
        std::string known;
        for (const auto& [n, s] : config_.llms) known += (known.empty() ? "" : ", ") + n;
        throw ConfigError("config.json: llms." + std::string(name) + ": no LLM configuration of that name (configured: " +
                          (known.empty() ? std::string("none") : known) + "); add it under \"llms\"");
    }
    PluginContext context;
    context.instance = std::string(name);
    context.options = selection->second.options;
    context.host = this;
    auto provider = plugins_.create_llm(selection->second.plugin, context);
    auto& ref = *provider;
    llms_.emplace(std::string(name), std::move(provider));
    return ref;
}

const Metric& CampaignHost::metric() { return metric_.get(plugins_, competition_, config_.raw, *this); }

ExperimentResult CampaignHost::run_experiment(const ExperimentRequest& request) {
    ExperimentFn fn;
    {
        std::lock_guard lock(mutex_);
        fn = experiment_;
    }
    if (!fn) throw Error("no experiment runner is configured (config.json \"runner\")");
    return fn(request);
}

tools::ToolSurface& CampaignHost::tool_surface() {
    std::lock_guard lock(tools_mutex_);
    if (!tool_surface_) {
        tool_host_ = std::make_unique<tools::PluginToolHost>(*this, plugins_, tools::tool_settings(config_));
        tool_surface_ = std::make_unique<tools::ToolSurface>(tools::standard_tools(*tool_host_, tool_host_->settings()));
    }
    return *tool_surface_;
}

std::vector<ToolSpec> CampaignHost::tool_specs(std::string_view role) { return tool_surface().specs(role); }

ToolResult CampaignHost::call_tool(const ToolCallContext& context, const ToolCall& call) {
    return tool_surface().call(context, call);
}

std::map<std::string, std::string> CampaignHost::prompt_values(std::string_view role) {
    tools::ToolSurface& surface = tool_surface();
    return tools::prompt_facts(*tool_host_, surface, role);
}

}  // namespace autokaggle

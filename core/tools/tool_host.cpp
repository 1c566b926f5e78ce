#include "tools/tool_host.hpp"

#include "kaggle/client.hpp"
#include "metrics/metric_loader.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

namespace autokaggle::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string option_text(const json::object& options, std::string_view key) {
    const auto* v = options.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::vector<fs::path> held_out_files(const PluginSelection& submitter, const fs::path& root) {
    if (submitter.plugin != "local") return {};
    auto resolved = [&](const std::string& p) { return fs::path(p).is_absolute() ? fs::path(p) : root / p; };
    std::vector<fs::path> out;
    const std::string answers = option_text(submitter.options, "answers");
    if (answers.empty()) return out;
    out.push_back(resolved(answers).lexically_normal());
    const std::string board = option_text(submitter.options, "leaderboard");
    out.push_back(board.empty() ? out.front().parent_path() / "leaderboard.json" : resolved(board).lexically_normal());
    return out;
}

ToolSettings tool_settings(const Config& config) {
    ToolSettings s;
    s.tools = config.tools;
    s.blend = config.blend;
    s.cv_tolerance = config.verify.cv_tolerance;
    s.runner = config.runner;
    s.submitter = config.submitter;
    for (const PluginSelection* p : {&config.submitter, &config.scraper, &config.runner})
        if (s.kaggle_api_base.empty() && p->plugin.starts_with("kaggle")) s.kaggle_api_base = option_text(p->options, "api_base");
    s.held_out = held_out_files(config.submitter, config.root);
    s.protected_paths.push_back(config.competition.train_csv.parent_path());
    return s;
}

PluginToolHost::PluginToolHost(HostServices& host, const PluginHost& plugins, ToolSettings settings)
    : host_(host), plugins_(plugins), settings_(std::move(settings)) {}

PluginToolHost::~PluginToolHost() = default;

PluginContext PluginToolHost::context(const json::object& options) const {
    PluginContext c;
    c.options = options;
    c.host = &host_;
    return c;
}

const Metric* PluginToolHost::metric() {
    std::lock_guard lock(mutex_);
    if (!metric_tried_) {
        metric_tried_ = true;
        try {
            metric_ = &host_.metric();
        } catch (const std::exception& e) {
            host_.log(LogLevel::warn, "tools", std::string("no metric for the tools: ") + e.what());
        }
    }
    return metric_;
}

Submitter* PluginToolHost::submitter() {
    std::lock_guard lock(mutex_);
    if (!submitter_tried_ && !settings_.submitter.plugin.empty()) {
        submitter_tried_ = true;
        try {
            submitter_ = plugins_.create_submitter(settings_.submitter.plugin, context(settings_.submitter.options));
        } catch (const std::exception& e) {
            host_.log(LogLevel::warn, "tools", std::string("the leaderboard tool has no submitter: ") + e.what());
        }
    }
    return submitter_.get();
}

Runner& PluginToolHost::scratch_runner() {
    std::lock_guard lock(mutex_);
    if (!scratch_runner_) {
        // The configured runner's options when it is the local one (its sandbox and thread
        // settings apply to scratch code too), with the scratch limits on top.
        json::object options;
        if (settings_.runner.plugin == "local") options = settings_.runner.options;
        options["timeout_s"] = settings_.tools.run_python_timeout_s;
        if (settings_.tools.run_python_memory_mb > 0) options["memory_mb"] = settings_.tools.run_python_memory_mb;
        const PluginInfo& info = plugins_.find("runner", "local");
        std::vector<Diagnostic> diagnostics;
        options = plugins_.validate_options(info, options, "runner.options", diagnostics);
        for (const auto& d : diagnostics)
            if (d.severity == Diagnostic::Severity::error)
                throw ConfigError("run_python: the local runner refuses its options: " + d.message);
        scratch_runner_ = plugins_.create_runner("local", context(options));
    }
    return *scratch_runner_;
}

const kaggle::Client* PluginToolHost::kaggle() {
    std::lock_guard lock(mutex_);
    if (!kaggle_tried_) {
        kaggle_tried_ = true;
        try {
            kaggle::ClientOptions options;
            options.cancelled = [this] { return host_.cancel_requested(); };
            kaggle_ = std::make_unique<kaggle::Client>(kaggle::make_client(settings_.kaggle_api_base, std::move(options)));
        } catch (const std::exception&) {
            // No credentials: the research tools are not offered.
        }
    }
    return kaggle_.get();
}

}  // namespace autokaggle::tools

#include "orchestrator/campaign_plugins.hpp"

#include <autokaggle/sdk/errors.hpp>

namespace autokaggle {

CampaignPlugins::CampaignPlugins(const Config& config, const PluginHost& plugins, HostServices& host)
    : config_(config), plugins_(plugins), host_(host) {}

PluginContext CampaignPlugins::context(std::string instance, const boost::json::object& options) const {
    PluginContext c;
    c.instance = std::move(instance);
    c.options = options;
    c.host = &host_;
    return c;
}

void CampaignPlugins::create() {
    for (const std::string_view name : kRoles) {
        const std::string role(name);
        auto sel = config_.agents.find(role);
        if (sel == config_.agents.end() || sel->second.plugin.empty()) {
            throw ConfigError("config.json: agents." + role + ": no agent plugin configured; add \"agents\": {\"" + role +
                              "\": {\"plugin\": \"autopilot\"}}");
        }
        agents_[role] = plugins_.create_agent(sel->second.plugin, context(role, sel->second.options));
    }
    if (plugins_.find_metric(config_.competition.metric)) metric_ = &host_.metric();
}

Direction CampaignPlugins::direction() const {
    if (metric_) return metric_->direction();
    return config_.competition.metric_direction == "lower" ? Direction::lower : Direction::higher;
}

Submitter* CampaignPlugins::submitter() {
    if (!submitter_ && !config_.submitter.plugin.empty())
        submitter_ = plugins_.create_submitter(config_.submitter.plugin, context("", config_.submitter.options));
    return submitter_.get();
}

Scraper* CampaignPlugins::scraper() {
    if (!scraper_ && !config_.scraper.plugin.empty())
        scraper_ = plugins_.create_scraper(config_.scraper.plugin, context("", config_.scraper.options));
    return scraper_.get();
}

}  // namespace autokaggle

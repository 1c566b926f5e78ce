// The plugins a campaign works with, created from config.json with the campaign's HostServices:
// the three agents and the metric when the campaign starts (before any agent runs, so that
// agent threads only ever read them), the submitter and the scraper on first use.
#pragma once

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/agent.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/scraper.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <map>
#include <memory>
#include <string>

namespace autokaggle {

class CampaignPlugins {
public:
    CampaignPlugins(const Config& config, const PluginHost& plugins, HostServices& host);

    /// Creates an agent per role (kRoles) and the competition's metric. Throws ConfigError for
    /// a role without an agent plugin.
    void create();

    Agent& agent(const std::string& role) const { return *agents_.at(role); }
    const std::map<std::string, std::shared_ptr<Agent>>& agents() const { return agents_; }
    /// nullptr when no loaded metric plugin provides config.json's metric.
    const Metric* metric() const { return metric_; }
    /// The metric's direction, else config.json's metric_direction.
    Direction direction() const;
    /// nullptr when none is configured.
    Submitter* submitter();
    Scraper* scraper();
    /// Every metric name the loaded plugins provide.
    std::vector<std::string> metric_names() const { return plugins_.metric_names(); }

private:
    PluginContext context(std::string instance, const boost::json::object& options) const;

    const Config& config_;
    const PluginHost& plugins_;
    HostServices& host_;
    std::map<std::string, std::shared_ptr<Agent>> agents_;
    const Metric* metric_ = nullptr;  ///< the host's
    std::shared_ptr<Submitter> submitter_;
    std::shared_ptr<Scraper> scraper_;
};

}  // namespace autokaggle

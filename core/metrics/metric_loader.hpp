// Creating a metric object through the plugin host, with the plugin's option defaults filled
// in, for code that holds no HostServices (a host offers its configured metric itself:
// HostServices::metric()). The metric then gets a standalone host (base/configured_metric.hpp).
#pragma once

#include "base/configured_metric.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <string_view>

namespace autokaggle::metrics {

/// The metric named `name` ("auc_roc", "map@5") from whichever loaded plugin provides it.
/// `options` are validated against that plugin's schema (unknown keys are a ConfigError naming
/// "metric_options.<key>"). With host == nullptr a standalone host is created and kept alive by
/// the returned object. Throws ConfigError listing the available metrics when none matches.
std::shared_ptr<Metric> load_metric(const PluginHost& plugins, std::string_view name,
                                    const boost::json::object& options = {}, HostServices* host = nullptr);

}  // namespace autokaggle::metrics

#include "metrics/metric_loader.hpp"

#include "base/configured_metric.hpp"

namespace autokaggle::metrics {

namespace {

struct MetricWithHost {
    explicit MetricWithHost(const PluginHost& plugins) : host(plugins) {}
    StandaloneHost host;
    std::shared_ptr<Metric> metric;
};

}  // namespace

std::shared_ptr<Metric> load_metric(const PluginHost& plugins, std::string_view name, const boost::json::object& options,
                                    HostServices* host) {
    if (host != nullptr) return create_metric(plugins, name, options, *host);
    auto holder = std::make_shared<MetricWithHost>(plugins);
    holder->metric = create_metric(plugins, name, options, holder->host);
    return std::shared_ptr<Metric>(holder, holder->metric.get());
}

}  // namespace autokaggle::metrics

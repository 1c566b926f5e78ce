// Writing a plugin: implement one interface, then export it with AUTOKAGGLE_PLUGIN in exactly
// one .cpp file of the plugin:
//
//   #include <autokaggle/sdk/plugin.hpp>
//   #include <autokaggle/sdk/metric.hpp>
//
//   std::unique_ptr<autokaggle::Metric> make_metric(const autokaggle::PluginContext& ctx);
//   AUTOKAGGLE_PLUGIN(autokaggle::Metric, "my-metrics", "1.0.0", "adds mean_pinball",
//                     R"({"alpha": {"type": "number", "default": 0.5, "doc": "quantile"}})",
//                     "mean_pinball", make_metric)
//
// The host reads the descriptor first (ABI number, kind, name), validates the options against
// the schema, and only then calls the factory. The factory returns nullptr only for an
// `instance` it does not serve; the host reports that as an error naming the plugin.
#pragma once

#include <autokaggle/sdk/abi.hpp>
#include <autokaggle/sdk/agent.hpp>
#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/llm.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/runner.hpp>
#include <autokaggle/sdk/scraper.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <boost/dll/alias.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace autokaggle {

/// Everything a factory receives. Valid only during the factory call, except `host`, which
/// outlives every object the factory returns.
struct PluginContext {
    /// Agents: the role ("researcher", "builder", "reviewer"). Metrics: the metric name as
    /// configured ("map@5"). LLM providers: the configuration name under "llms". Others: "".
    std::string instance;
    /// The plugin's options from config.json, validated against its schema, defaults filled.
    boost::json::object options;
    HostServices* host = nullptr;  ///< never null
};

template <class Interface> struct plugin_kind;
template <> struct plugin_kind<Agent> { static constexpr const char* value = "agent"; };
template <> struct plugin_kind<LlmProvider> { static constexpr const char* value = "llm"; };
template <> struct plugin_kind<Metric> { static constexpr const char* value = "metric"; };
template <> struct plugin_kind<Submitter> { static constexpr const char* value = "submitter"; };
template <> struct plugin_kind<Scraper> { static constexpr const char* value = "scraper"; };
template <> struct plugin_kind<Runner> { static constexpr const char* value = "runner"; };

/// The factory's exact type for a kind; the host looks it up only after checking the descriptor.
template <class Interface>
using PluginFactory = std::unique_ptr<Interface>(const PluginContext&);

}  // namespace autokaggle

/// Exports the descriptor and the factory of a plugin (use once per plugin, at global scope).
#define AUTOKAGGLE_PLUGIN(INTERFACE, NAME, VERSION, DESCRIPTION, OPTIONS_SCHEMA, PROVIDES, FACTORY) \
    namespace autokaggle_export {                                                                   \
    const ::autokaggle_plugin_descriptor descriptor{AUTOKAGGLE_ABI_VERSION,                         \
                                                    ::autokaggle::plugin_kind<INTERFACE>::value,    \
                                                    NAME,                                           \
                                                    VERSION,                                        \
                                                    DESCRIPTION,                                    \
                                                    OPTIONS_SCHEMA,                                 \
                                                    PROVIDES};                                      \
    std::unique_ptr<INTERFACE> factory(const ::autokaggle::PluginContext& context) {                \
        return FACTORY(context);                                                                    \
    }                                                                                               \
    }                                                                                               \
    BOOST_DLL_ALIAS(autokaggle_export::descriptor, autokaggle_descriptor)                           \
    BOOST_DLL_ALIAS(autokaggle_export::factory, autokaggle_factory)

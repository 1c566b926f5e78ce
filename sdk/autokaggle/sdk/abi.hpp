// The plugin boundary: the C-layout descriptor every plugin exports, read before anything else.
//
// std:: and Boost.JSON types cross the boundary, so a plugin must come from the same build as
// the host: AUTOKAGGLE_ABI_VERSION is bumped on any change to a header in sdk/, and the host
// refuses a plugin whose number differs ("got N, supported M").
#pragma once

#include <cstdint>

#define AUTOKAGGLE_ABI_VERSION 8u

/// Symbols a plugin exports with BOOST_DLL_ALIAS (see plugin.hpp for the macro that does it).
#define AUTOKAGGLE_DESCRIPTOR_SYMBOL "autokaggle_descriptor"
#define AUTOKAGGLE_FACTORY_SYMBOL "autokaggle_factory"

#if defined(_WIN32)
#define AUTOKAGGLE_SDK_VISIBLE
#else
// Types shared across the boundary keep default visibility so RTTI and exceptions match.
#define AUTOKAGGLE_SDK_VISIBLE __attribute__((visibility("default")))
#endif

extern "C" {

/// Plain C layout. `abi_version` is first and never moves: the host reads it before the rest.
struct autokaggle_plugin_descriptor {
    std::uint32_t abi_version;   ///< AUTOKAGGLE_ABI_VERSION the plugin was compiled with
    const char* kind;            ///< "agent", "llm", "metric", "submitter", "scraper" or "runner"
    const char* name;            ///< unique per kind, as written in config.json ("autopilot", "local")
    const char* version;         ///< the plugin's own version, "1.2.0"
    const char* description;     ///< one line for `autokaggle plugins`
    /// JSON object: option name -> {"type": "string|number|integer|boolean|array|object",
    /// "default": <value>, "doc": "..."}; "{}" when the plugin takes no options.
    const char* options_schema;
    /// Comma-separated names this plugin serves. Metric plugins: metric names, "map@k" meaning
    /// any k. Agent plugins: task types ("*" for any). Other kinds: "" (ignored).
    const char* provides;
};
}

// Runs an experiment script through the configured Runner plugin for HostServices::run_experiment:
// starts it (or re-attaches to the run an earlier process recorded), follows its output, parses
// "FOLD k SCORE=x" and "CV_SCORE=x" lines and stops it when the campaign stops.
#pragma once

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace autokaggle {

class ExperimentAdapter {
public:
    /// Persists (record != nullptr) or clears (nullptr) the run record of a label in state.json.
    using RecordFn = std::function<void(const std::string& label, const boost::json::object* record)>;
    using LookupFn = std::function<std::optional<boost::json::object>(const std::string& label)>;

    ExperimentAdapter(const Config& config, const PluginHost& plugins, HostServices& host, RecordFn record, LookupFn lookup);
    ExperimentResult run(const ExperimentRequest& request);

private:
    Runner& runner();
    const Config& config_;
    const PluginHost& plugins_;
    HostServices& host_;
    RecordFn record_;
    LookupFn lookup_;
    std::shared_ptr<Runner> runner_;
};

/// Parses the lines a script prints: "CV_SCORE=x" (last one wins) and "FOLD k SCORE=x".
void parse_score_lines(const std::string& text, ExperimentResult& result);

}  // namespace autokaggle

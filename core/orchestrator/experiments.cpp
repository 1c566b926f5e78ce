#include "orchestrator/experiments.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "learnings/markdown_sections.hpp"
#include "learnings/workspace_learnings.hpp"
#include "orchestrator/json_util.hpp"
#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;
namespace json = boost::json;
using json_util::Fields;

namespace {
json::value to_json(const Experiment& e) {
    json::array features;
    for (const auto& f : e.features) features.push_back(json::value(f));
    return json::object{{"id", e.id},         {"round", e.round},         {"family", e.family},
                        {"features", features}, {"params", e.params},     {"cv", json_util::opt(e.cv)},
                        {"lb", json_util::opt(e.lb)}, {"oof", e.oof},     {"test", e.test},
                        {"status", e.status}, {"regime", e.regime}};
}

Experiment experiment_from(const Fields& f) {
    Experiment e;
    e.id = f.str("id");
    if (e.id.empty()) throw Error(f.where() + ".id: missing; every experiment needs an id");
    e.round = static_cast<int>(f.integer("round", -1));
    e.family = f.str("family", "unknown");
    for (const auto& v : f.array("features")) {
        if (!v.is_string()) throw Error(f.where() + ".features: expected an array of strings");
        e.features.emplace_back(v.get_string());
    }
    e.params = f.child("params").object();
    e.cv = f.opt_number("cv");
    e.lb = f.opt_number("lb");
    e.oof = f.str("oof");
    e.test = f.str("test");
    e.status = f.str("status");
    e.regime = static_cast<int>(f.integer("regime", 1));
    return e;
}

/// A plan or findings line without its markdown: spaces, bullets ("-", "*") and code or
/// emphasis marks around it.
std::string strip_decoration(std::string s) {
    const auto b = s.find_first_not_of(" \t\r*-`");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r*`");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}
}  // namespace

ExperimentRegistry read_experiments(const fs::path& file) {
    const auto text = read_file_if_exists(file);
    if (!text) return {};
    return parse_experiments(*text, file.string());
}

ExperimentRegistry parse_experiments(std::string_view text, const std::string& source) {
    ExperimentRegistry reg;
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    if (ec) throw Error(source + ": not valid JSON (" + ec.message() + "); restore it or delete it to rebuild");
    const Fields f(v, fs::path(source).filename().string());
    const auto version = f.integer("schema_version", 0);
    if (version != kExperimentsSchemaVersion) {
        throw Error(source + ": schema_version " + std::to_string(version) + " is not supported (expected " +
                    std::to_string(kExperimentsSchemaVersion) + ")");
    }
    for (std::size_t i = 0; const auto& e : f.array("experiments")) {
        reg.experiments.push_back(experiment_from(Fields(e, f.where() + ".experiments[" + std::to_string(i++) + "]")));
    }
    reg.regime = static_cast<int>(f.integer("regime", 1));
    reg.correlations = f.child("correlations").object();
    return reg;
}

void write_experiments(const fs::path& file, const ExperimentRegistry& reg) { atomic_write(file, format_experiments(reg)); }

std::string format_experiments(const ExperimentRegistry& reg) {
    json::array list;
    for (const auto& e : reg.experiments) list.push_back(to_json(e));
    return json_util::pretty(json::object{{"schema_version", kExperimentsSchemaVersion},
                                          {"regime", reg.regime},
                                          {"experiments", std::move(list)},
                                          {"correlations", reg.correlations}});
}

void upsert_experiment(ExperimentRegistry& reg, Experiment experiment) {
    for (auto& e : reg.experiments) {
        if (e.id == experiment.id) {
            e = std::move(experiment);
            return;
        }
    }
    reg.experiments.push_back(std::move(experiment));
}

PlanSummary summarize_plan(const std::string& plan_text) {
    PlanSummary s;
    for (const auto& raw : lines_of(plan_text)) {
        std::string line = strip_decoration(raw);
        if (line.empty()) continue;
        if (s.title.empty()) {
            s.title = line;
            s.title.erase(0, s.title.find_first_not_of("# "));
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = to_lower(strip_decoration(line.substr(0, colon)));
        const std::string value = strip_decoration(line.substr(colon + 1));
        if (key == "family" && !value.empty()) {
            s.family = value;
        } else if (key == "features") {
            s.features.clear();
            std::istringstream in(value);
            for (std::string item; std::getline(in, item, ',');) {
                item = strip_decoration(item);
                if (!item.empty()) s.features.push_back(item);
            }
        } else if (key == "params") {
            boost::system::error_code ec;
            auto v = json::parse(value, ec);
            if (!ec && v.is_object()) s.params = v.get_object();
            else s.params = json::object{{"text", value}};
        }
    }
    return s;
}

std::vector<std::string> extract_learnings(const std::string& findings_text) {
    return learnings::learnings_bullets(findings_text);
}

std::optional<Recommendation> extract_recommendation(const std::string& findings_text) {
    for (const auto& raw : lines_of(findings_text)) {
        const std::string line = strip_decoration(raw);
        const std::string lower = to_lower(line);
        constexpr std::string_view key = "recommendation:";
        if (lower.rfind(key, 0) != 0) continue;
        std::string verdict = to_lower(strip_decoration(line.substr(key.size())));
        Recommendation r;
        std::size_t length = 0;
        for (const std::string_view no : {"do not submit", "don't submit", "hold", "skip"})
            if (verdict.rfind(no, 0) == 0) length = no.size();
        if (length == 0 && verdict.rfind("submit", 0) == 0) {
            r.submit = true;
            length = 6;
        }
        if (length == 0) continue;
        const std::string rest = strip_decoration(line.substr(key.size()));
        const auto reason = rest.find_first_not_of(" -:;,.", length);
        r.reason = reason == std::string::npos ? "" : strip_decoration(rest.substr(reason));
        return r;
    }
    return std::nullopt;
}

void update_learnings(const fs::path& file, int round, const std::vector<std::string>& lines) {
    learnings::write_section(file, "## " + round_tag(round), lines);
}

}  // namespace autokaggle

// Turns an ExperimentSpec into a self-contained Python script that follows the script contract:
// a header naming the experiment, the spec as JSON, the shared runtime and one family's model.
#include "autopilot.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <map>

namespace autokaggle::autopilot {

const std::map<std::string, std::string>& python_sources();  // generated (embed_python.cmake)

const std::string& python_source(const std::string& name) {
    const auto& all = python_sources();
    auto it = all.find(name);
    if (it == all.end()) throw Error("autopilot: no embedded Python source '" + name + "' (rebuild the plugin)");
    return it->second;
}

namespace {

std::string family_file(const std::string& family) {
    if (family == "random_forest" || family == "extra_trees") return "family_forest.py";
    static const std::set<std::string> known{"linear", "hgb", "xgboost", "knn", "blend"};
    if (!known.count(family)) throw Error("autopilot: no script template for experiment family '" + family + "'");
    return "family_" + family + ".py";
}

}  // namespace

std::string experiment_script(const ExperimentSpec& spec, const CompetitionInfo& competition) {
    namespace json = boost::json;
    json::object s = spec.to_json();
    s["title"] = spec.title;
    s["task_type"] = competition.task_type;
    s["target_column"] = competition.target_column;
    s["id_column"] = competition.id_column;
    s["train_file"] = competition.train_csv.empty() ? "train.csv" : competition.train_csv.filename().string();
    s["test_file"] = competition.test_csv.empty() ? "test.csv" : competition.test_csv.filename().string();
    s["folds"] = competition.cv_folds;
    s["seed"] = competition.seed;
    s["class_weight"] = spec.class_weight ? json::value("balanced") : json::value(nullptr);
    s["weights_via_fit"] = spec.class_weight && spec.family == "xgboost";
    s["n_jobs"] = 2;
    if (auto* offset = spec.params.if_contains("seed_offset")) s["seed_offset"] = *offset;

    std::string out;
    out += "#!/usr/bin/env python3\n";
    out += "\"\"\"" + spec.title + "\n\nWritten by the AutoKaggle autopilot (family " + spec.family + ", variant " +
           spec.variant + ").\nScript contract: docs/script-contract.md. Deterministic for a given --seed.\n\"\"\"\n";
    out += "import json\n\nSPEC = json.loads(r'''" + json::serialize(s) + "''')\n\n";
    out += python_source("runtime.py");
    out += "\n\n";
    out += python_source(family_file(spec.family));
    out += "\n\nif __name__ == \"__main__\":\n    main()\n";
    return out;
}

}  // namespace autokaggle::autopilot

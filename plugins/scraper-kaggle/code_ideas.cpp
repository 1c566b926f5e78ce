#include "code_ideas.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <regex>
#include <set>

namespace autokaggle::kaggle_scraper {

namespace {

void add_unique(std::vector<std::string>& list, std::string item) {
    if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end()) list.push_back(std::move(item));
}

bool standard_library(std::string_view name) {
    static const std::set<std::string_view> names{
        "os", "sys", "gc", "re", "json", "time", "math", "random", "warnings", "collections", "itertools", "functools",
        "typing", "pathlib", "glob", "datetime", "pickle", "copy", "string", "subprocess", "shutil", "logging", "csv",
        "argparse", "dataclasses", "abc", "enum", "io", "zipfile", "operator", "statistics", "tqdm", "IPython"};
    return names.count(name) > 0;
}

struct Technique {
    const char* pattern;  ///< ECMAScript regex, case-insensitive
    const char* label;
};

const std::array techniques{
    Technique{R"(RepeatedStratifiedKFold)", "repeated stratified k-fold CV"},
    Technique{R"(\bStratifiedKFold\b)", "stratified k-fold CV"},
    Technique{R"(StratifiedGroupKFold|\bGroupKFold\b)", "group k-fold CV"},
    Technique{R"(TimeSeriesSplit)", "time-series split CV"},
    Technique{R"(TargetEncoder|target_encod|TargetEncoding|MEstimateEncoder)", "target encoding"},
    Technique{R"(OneHotEncoder|get_dummies)", "one-hot encoding"},
    Technique{R"(LabelEncoder|OrdinalEncoder|astype\(\s*['"]category['"]\s*\))", "categorical/label encoding"},
    Technique{R"(\.value_counts\(\)\s*\.?(to_dict|map)|count_encod|frequency_encod)", "count/frequency encoding"},
    Technique{R"(\.groupby\()", "group-by aggregate features"},
    Technique{R"(PolynomialFeatures)", "polynomial features"},
    Technique{R"(\bPCA\(|TruncatedSVD)", "dimensionality reduction (PCA/SVD)"},
    Technique{R"(\bKMeans\()", "cluster-based features"},
    Technique{R"(np\.log1p|np\.expm1)", "log-transformed target or features"},
    Technique{R"(\boptuna\b)", "Optuna hyperparameter search"},
    Technique{R"(GridSearchCV|RandomizedSearchCV)", "grid/random hyperparameter search"},
    Technique{R"(early_stopping|EarlyStopping)", "early stopping"},
    Technique{R"(pseudo[_ -]?label)", "pseudo-labelling"},
    Technique{R"(Stacking(Classifier|Regressor)|\bstack(ing|ed)?\b)", "stacking"},
    Technique{R"(\bblend|rankdata|\.rank\(|hill.?climb)", "blending / rank averaging"},
    Technique{R"(for\s+seed\s+in|seeds\s*=\s*\[)", "seed averaging"},
    Technique{R"(SMOTE|class_weight|scale_pos_weight|is_unbalance)", "class-imbalance handling"},
    Technique{R"(CalibratedClassifierCV|IsotonicRegression)", "probability calibration"},
    Technique{R"(permutation_importance|\bshap\b|feature_importances_)", "feature-importance analysis"},
    Technique{R"(original.{0,40}concat|concat.{0,60}original)", "extra data: the original dataset appended"},
    Technique{R"(\bKNNImputer|SimpleImputer|\.fillna\()", "missing-value imputation"},
};

}  // namespace

std::string notebook_code(std::string_view source) {
    if (source.empty() || source.front() != '{') return std::string(source);
    boost::system::error_code ec;
    auto doc = boost::json::parse(source, ec);
    if (ec || !doc.is_object()) return std::string(source);
    const auto* cells = doc.as_object().if_contains("cells");
    if (!cells || !cells->is_array()) return std::string(source);
    std::string code;
    for (const auto& cell : cells->as_array()) {
        if (!cell.is_object()) continue;
        const auto& c = cell.as_object();
        const auto* type = c.if_contains("cell_type");
        if (!type || !type->is_string() || type->as_string() != "code") continue;
        const auto* src = c.if_contains("source");
        if (!src) continue;
        if (src->is_string()) code += std::string(src->as_string());
        if (src->is_array())
            for (const auto& line : src->as_array())
                if (line.is_string()) code += std::string(line.as_string());
        code += "\n";
    }
    return code;
}

CodeIdeas extract_ideas(std::string_view code_view) {
    CodeIdeas ideas;
    const std::string code(code_view);
    using it = std::sregex_iterator;

    static const std::string model_name =
        R"(\b([A-Z][A-Za-z0-9]*(?:Classifier|Regressor|Regression|Booster|Forest|Trees|TabNet\w*)|SVC|SVR|Ridge|Lasso|ElasticNet|KNeighbors\w+))";
    static const std::regex model_call(model_name + R"(\s*\()");
    static const std::regex model_word(model_name + R"(\b)");

    static const std::regex import_line(
        R"((?:^|\n)[ \t]*(?:from[ \t]+([A-Za-z_][\w]*)[\w.]*[ \t]+import[ \t]+([^\n#]+)|import[ \t]+([^\n#]+)))");
    for (it m(code.begin(), code.end(), import_line), end; m != end; ++m) {
        if ((*m)[1].matched) {
            if (!standard_library((*m)[1].str())) add_unique(ideas.libraries, (*m)[1].str());
            // "from catboost import CatBoostClassifier": the model named, even if built elsewhere.
            std::string names = (*m)[2].str();
            for (it n(names.begin(), names.end(), model_word), nend; n != nend; ++n) add_unique(ideas.models, (*n)[1].str());
            continue;
        }
        // "import numpy as np, pandas as pd"
        static const std::regex module(R"(([A-Za-z_]\w*)[\w.]*(?:[ \t]+as[ \t]+\w+)?)");
        std::string names = (*m)[3].str();
        for (it n(names.begin(), names.end(), module), nend; n != nend; ++n) {
            std::string name = (*n)[1].str();
            if (name != "as" && !standard_library(name)) add_unique(ideas.libraries, name);
        }
    }

    for (it m(code.begin(), code.end(), model_call), end; m != end; ++m) add_unique(ideas.models, (*m)[1].str());
    static const std::regex train_call(R"(\b(lgb|lightgbm|xgb|xgboost|cb|catboost)\.(train|cv)\s*\()");
    for (it m(code.begin(), code.end(), train_call), end; m != end; ++m)
        add_unique(ideas.models, (*m)[1].str() + "." + (*m)[2].str());

    static const std::regex splits(R"(n_splits\s*=\s*(\d+))");
    std::smatch folds;
    std::string fold_note = std::regex_search(code, folds, splits) ? " (n_splits=" + folds[1].str() + ")" : "";
    for (const auto& t : techniques) {
        std::regex re(t.pattern, std::regex::ECMAScript | std::regex::icase);
        if (!std::regex_search(code, re)) continue;
        std::string label = t.label;
        if (label.find("k-fold") != std::string::npos || label.find("split CV") != std::string::npos) label += fold_note;
        add_unique(ideas.techniques, label);
    }
    return ideas;
}

}  // namespace autokaggle::kaggle_scraper

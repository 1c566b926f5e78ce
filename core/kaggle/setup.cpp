#include "kaggle/setup.hpp"

#include "base/atomic_file.hpp"
#include "base/configured_metric.hpp"
#include "kaggle/client.hpp"
#include "kaggle/json_text.hpp"
#include "kaggle/zip.hpp"
#include "metrics/csv.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <set>

namespace autokaggle::kaggle {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// Lowercase letters, digits and '@' only: "Root Mean Squared Error" -> "rootmeansquarederror".
std::string normalise(std::string_view name) {
    std::string out;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '@') out += static_cast<char>(std::tolower(u));
    }
    return out;
}

/// The name a metric plugin serves for a Kaggle name: the provided name itself, or for a
/// pattern ("map@k") the pattern with the k the Kaggle name carries ("MAP@5" -> "map@5").
std::optional<std::string> candidate_name(std::string_view provided, std::string_view normalised_kaggle) {
    if (!provided.ends_with("@k")) return std::string(provided);
    const auto at = normalised_kaggle.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    const auto digits = normalised_kaggle.substr(at + 1);
    if (digits.empty() || digits.front() == '0' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    return std::string(provided.substr(0, provided.size() - 1)) + std::string(digits);
}

bool answers_to(const Metric& metric, std::string_view normalised_kaggle) {
    const auto names = metric.kaggle_names();
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return normalise(n) == normalised_kaggle; });
}

fs::path find_sample_submission(const fs::path& data_dir) {
    fs::path exact = data_dir / "sample_submission.csv";
    if (fs::exists(exact)) return exact;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
        std::string name = entry.path().filename().string();
        std::string low = normalise(name);
        if (entry.is_regular_file() && low.find("sample") != std::string::npos && name.ends_with(".csv")) return entry.path();
    }
    return {};
}

std::vector<std::string> header_or_empty(const fs::path& file) {
    if (file.empty() || !fs::exists(file)) return {};
    return metrics::read_csv_header(file);
}

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

/// Binary, multiclass or regression from the values of the target column of train.csv.
std::pair<std::string, std::size_t> classify_target(const fs::path& train, const std::string& column,
                                                    const std::optional<MetricMapping>& metric) {
    auto table = metrics::read_csv(train, {column});
    const auto& cells = table.column(column);
    std::set<std::string, std::less<>> distinct;
    bool numeric = true, integral = true;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        std::string_view cell = cells[i];
        if (cell.empty()) continue;
        if (distinct.size() <= 1000) distinct.emplace(cell);
        double v = 0;
        if (!metrics::parse_number(cell, v)) {
            numeric = false;
        } else if (std::floor(v) != v) {
            integral = false;
        }
    }
    std::size_t classes = distinct.size();
    const auto kind = metric ? std::optional<PredictionKind>(metric->prediction) : std::nullopt;
    if (kind == PredictionKind::value) return {"regression", 0};
    if (classes == 2) return {"binary_classification", 2};
    const bool scores_classes =
        kind == PredictionKind::probability || kind == PredictionKind::score || kind == PredictionKind::label;
    if (scores_classes || !numeric) return {classes > 2 ? "multiclass_classification" : "", classes};
    if (numeric && !integral) return {"regression", 0};
    if (numeric && integral && classes > 50) return {"regression", 0};
    return {"", classes};  // a few integers without a metric hint: could be either
}

std::string describe_list(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

fs::path data_dir_of(const json::object& config, const fs::path& root) {
    if (const auto* v = config.if_contains("data_dir"); v && v->is_string() && !v->as_string().empty() &&
                                                          v->as_string() != placeholder)
        return (root / std::string(v->as_string())).lexically_normal();
    return root / "data";
}

/// Kaggle sometimes zips single large files inside the competition zip (train.csv.zip).
std::vector<fs::path> unpack_nested(std::vector<fs::path> files) {
    std::vector<fs::path> out;
    for (auto& f : files) {
        if (f.extension() != ".zip") {
            out.push_back(f);
            continue;
        }
        auto inner = extract_zip(f, f.parent_path());
        fs::remove(f);
        out.insert(out.end(), inner.begin(), inner.end());
    }
    return out;
}

}  // namespace

std::optional<MetricMapping> map_evaluation_metric(const PluginHost& plugins, std::string_view kaggle_metric) {
    const std::string n = normalise(kaggle_metric);
    if (n.empty()) return std::nullopt;
    StandaloneHost host(plugins);
    for (const PluginInfo& plugin : plugins.plugins()) {
        if (plugin.kind != "metric") continue;
        for (const std::string& provided : plugin.provides) {
            const auto name = candidate_name(provided, n);
            if (!name) continue;
            std::shared_ptr<Metric> metric;
            try {
                metric = create_metric(plugins, *name, {}, host);
            } catch (const Error&) {
                continue;  // a plugin that cannot make the metric with its defaults answers to nothing
            }
            if (answers_to(*metric, n)) return MetricMapping{*name, direction_name(metric->direction()), metric->prediction_kind()};
        }
    }
    return std::nullopt;
}

DataFacts inspect_data(const fs::path& data_dir, const std::optional<MetricMapping>& metric) {
    DataFacts facts;
    facts.metric = metric;
    auto sample = header_or_empty(find_sample_submission(data_dir));
    auto train = header_or_empty(data_dir / "train.csv");
    auto test = header_or_empty(data_dir / "test.csv");
    if (!sample.empty()) facts.id_column = sample.front();
    else if (!test.empty() && contains(train, test.front())) facts.id_column = test.front();

    for (std::size_t i = 1; i < sample.size(); ++i)
        if (contains(train, sample[i])) facts.target_columns.push_back(sample[i]);
    if (facts.target_columns.empty() && !train.empty() && !test.empty())
        for (const auto& c : train)
            if (!contains(test, c) && c != facts.id_column) facts.target_columns.push_back(c);
    if (facts.target_columns.empty() && sample.size() == 2 && train.empty()) facts.target_columns.push_back(sample[1]);

    if (facts.target_columns.size() == 1 && contains(train, facts.target_columns.front())) {
        auto [task, classes] = classify_target(data_dir / "train.csv", facts.target_columns.front(), metric);
        facts.task_type = task;
        facts.target_classes = classes;
        // One probability column per class in the sample means multiclass whatever the values.
        if (sample.size() > 3 && !contains(sample, facts.target_columns.front()) && !task.empty() &&
            task != "regression")
            facts.task_type = "multiclass_classification";
    }
    return facts;
}

FillReport fill_config(json::object& config, const Competition& competition, const DataFacts& data,
                       std::string_view kaggle_username) {
    FillReport report;
    auto set = [&](std::string_view key, json::value value, std::string why) {
        config[key] = value;
        report.filled.push_back(std::string(key) + " = " + json::serialize(value) + (why.empty() ? "" : " (" + why + ")"));
    };
    auto unknown = [&](std::string_view key, std::string why) {
        config[key] = placeholder;
        report.placeholders.push_back(std::string(key) + ": " + why);
    };

    set("competition", json::string(competition.slug), "");
    const auto metric = data.metric;
    if (metric) {
        set("metric", json::string(metric->metric), "Kaggle: '" + competition.evaluation_metric + "'");
        set("metric_direction", json::string(metric->direction), "");
    } else {
        std::string said = competition.evaluation_metric.empty() ? "Kaggle did not name the metric"
                                                                  : "Kaggle's metric '" + competition.evaluation_metric +
                                                                        "' has no known equivalent";
        unknown("metric", said + "; pick one from `autokaggle plugins` (metric names)");
        // the metric plugin declares the direction once the metric is chosen
        if (const auto* d = config.if_contains("metric_direction"); d && d->is_string() && d->as_string() == placeholder)
            config.erase("metric_direction");
    }

    if (!data.id_column.empty()) set("id_column", json::string(data.id_column), "first column of sample_submission.csv");
    else unknown("id_column", "no sample_submission.csv found; name the id column");

    if (data.target_columns.size() == 1) {
        set("target_column", json::string(data.target_columns.front()), "in train.csv and the sample submission");
    } else if (data.target_columns.empty()) {
        unknown("target_column", "could not tell which train.csv column is the target");
    } else {
        unknown("target_column", "several candidates: " + describe_list(data.target_columns));
    }

    if (!data.task_type.empty()) {
        set("task_type", json::string(data.task_type),
            data.target_classes ? std::to_string(data.target_classes) + " distinct target values" : "target values");
        if (data.task_type == "regression") set("cv_strategy", json::string("KFold"), "");
        else set("cv_strategy", json::string("StratifiedKFold"), "");
    } else {
        unknown("task_type", "binary_classification, multiclass_classification, regression, ranking, ...");
    }

    if (!competition.deadline.empty()) set("deadline", json::string(date_part(competition.deadline)), "Kaggle deadline");
    if (competition.max_daily_submissions > 0)
        set("max_submissions_per_day", competition.max_daily_submissions, "Kaggle's maxDailySubmissions");
    if (!kaggle_username.empty()) {
        const auto* current = config.if_contains("kaggle_username");
        if (!current || !current->is_string() || current->as_string().empty() || current->as_string() == placeholder)
            set("kaggle_username", json::string(kaggle_username), "from the credentials");
    }
    if (!config.contains("data_dir")) set("data_dir", json::string("./data"), "");
    // Template placeholders nothing above could fill (a deadline Kaggle did not give, ...).
    for (const auto& kv : config) {
        if (!kv.value().is_string() || kv.value().as_string() != placeholder) continue;
        std::string key(kv.key());
        bool listed = std::any_of(report.placeholders.begin(), report.placeholders.end(),
                                  [&](const std::string& p) { return p.rfind(key + ":", 0) == 0; });
        if (!listed) report.placeholders.push_back(key + ": not known from Kaggle; fill it in");
    }
    return report;
}

DownloadReport download_competition(const Client& client, const fs::path& config_file, std::string_view slug,
                                    const DownloadOptions& options) {
    auto say = [&](const std::string& line) {
        if (options.progress) options.progress(line);
    };
    DownloadReport report;
    report.credential_source = client.credentials().describe();
    report.warnings = client.credentials().warnings();

    json::object config;
    if (auto text = read_file_if_exists(config_file)) {
        boost::system::error_code ec;
        auto parsed = json::parse(*text, ec);
        if (ec || !parsed.is_object())
            throw ConfigError(config_file.string() + ": not a JSON object (" + (ec ? ec.message() : "wrong type") +
                              "); fix or delete it and run init again");
        config = parsed.as_object();
    }
    fs::path root = fs::absolute(config_file).parent_path();

    say("Using Kaggle " + report.credential_source);
    report.competition = client.find_competition(slug);
    say("Competition: " + report.competition.title + " (" + report.competition.slug + ")");

    report.data_dir = data_dir_of(config, root);
    fs::create_directories(report.data_dir);
    fs::path zip = report.data_dir / (report.competition.slug + ".zip");
    say("Downloading the data to " + zip.string());
    client.download_data_files(report.competition.slug, zip);
    say("Unpacking " + zip.filename().string());
    report.files = unpack_nested(extract_zip(zip, report.data_dir));
    if (!options.keep_zip) fs::remove(zip);

    const auto metric = options.plugins ? map_evaluation_metric(*options.plugins, report.competition.evaluation_metric)
                                        : std::nullopt;
    auto facts = inspect_data(report.data_dir, metric);
    report.config = fill_config(config, report.competition, facts, client.credentials().username());
    atomic_write(config_file, pretty_json(config));
    return report;
}

std::string format_report(const DownloadReport& report, const fs::path& config_file) {
    std::string out;
    for (const auto& w : report.warnings) out += "warning: " + w + "\n";
    out += "data: " + std::to_string(report.files.size()) + " file(s) in " + report.data_dir.string() + "\n";
    for (const auto& f : report.files) out += "  " + f.lexically_relative(report.data_dir).string() + "\n";
    out += "config.json:\n";
    for (const auto& f : report.config.filled) out += "  set      " + f + "\n";
    for (const auto& p : report.config.placeholders) out += "  TO FILL  " + p + "\n";
    if (report.config.placeholders.empty())
        out += "next: autokaggle validate " + config_file.parent_path().string() + "\n";
    else
        out += "next: replace the <PLACEHOLDER> values in " + config_file.string() + ", then run autokaggle validate " +
               config_file.parent_path().string() + "\n";
    return out;
}

CredentialCheck check_credentials(std::string_view configured_api_base, std::string_view competition) {
    CredentialCheck check;
    try {
        ClientOptions options;
        options.retry.max_retries = 1;
        options.read_timeout = std::chrono::milliseconds(30'000);
        auto client = make_client(configured_api_base, options);
        check.source = client.credentials().describe();
        check.warnings = client.credentials().warnings();
        client.list_competitions(competition, 1);
        check.ok = true;
        check.message = "Kaggle accepted the " + check.source + " (" + client.api_base() + ")";
    } catch (const std::exception& e) {
        check.message = e.what();
    }
    return check;
}

DownloadReport download_competition(const fs::path& config_file, std::string_view slug, const DownloadOptions& options) {
    auto client = make_client(options.api_base);
    return download_competition(client, config_file, slug, options);
}

}  // namespace autokaggle::kaggle

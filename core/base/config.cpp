// config.json: parse (with line/column on syntax errors), then validate every key into the typed
// Config, collecting every problem instead of stopping at the first, so that one `validate` run
// shows the user everything to fix. Diagnostics point at the key's line in the file.
#include "base/config.hpp"

#include "base/atomic_file.hpp"
#include "base/configured_metric.hpp"
#include "base/plugin_host.hpp"
#include "base/text.hpp"
#include "base/utc_time.hpp"

#include <autokaggle/sdk/agent.hpp>  // kRoles
#include <autokaggle/sdk/errors.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <set>

namespace autokaggle {
namespace fs = std::filesystem;
namespace json = boost::json;

std::string Diagnostic::format() const {
    std::string out = "config.json";
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!key_path.empty()) out += key_path + ": ";
    if (severity == Severity::warning) out += "warning: ";
    // Continuation lines are indented so that each diagnostic reads as one block.
    for (char c : message) {
        out += c;
        if (c == '\n') out += "    ";
    }
    return out;
}

namespace {

using Severity = Diagnostic::Severity;

// --- What is allowed ---------------------------------------------------------------------------

const std::vector<std::string> kTaskTypes{
    "binary_classification", "multiclass_classification", "multilabel_classification", "regression",
    "ranking",               "time_series",               "object_detection",          "image_classification",
    "segmentation",          "nlp_generation"};
const std::vector<std::string> kDirections{"higher", "lower"};
const std::vector<std::string> kTopLevelKeys{
    "competition", "competition_dir", "data_dir", "existing_oof_dir", "task_type", "metric", "metric_options",
    "metric_direction",
    "target_column", "id_column", "cv_strategy", "cv_folds", "group_column", "time_column", "cv_gap", "deadline",
    "max_submissions_per_day",
    "knowledge_files", "best_pipeline_script", "scraper_path", "kaggle_username", "python", "seed", "agents",
    "llms", "submitter", "scraper", "runner", "plugin_dirs", "budget", "orchestrator", "verify", "kill_gate",
    "blend", "tools", "learnings_store"};

/// The default plugin for each slot when config.json does not choose one: everything offline.
const std::map<std::string, std::string> kDefaultPlugins{
    {"agent", "autopilot"}, {"submitter", "local"}, {"scraper", "files"}, {"runner", "local"}};

/// Hints for the placeholders `autokaggle init` leaves in a fresh config.json.
std::string placeholder_hint(std::string_view key) {
    static const std::map<std::string, std::string, std::less<>> hints{
        {"competition", "the slug from the competition's URL (kaggle.com/competitions/<slug>)"},
        {"target_column", "the column of train.csv to predict"},
        {"id_column", "the row id column of sample_submission.csv"},
        {"metric", "the competition's evaluation metric (autokaggle plugins lists the metrics available)"},
        {"deadline", "the competition's final submission date, YYYY-MM-DD (or remove the key)"},
        {"kaggle_username", "your Kaggle user name (or remove the key)"},
        {"task_type", "one of " + join(kTaskTypes, ", ")},
        {"metric_direction", "\"higher\" or \"lower\" (whether a larger metric is better)"},
    };
    auto it = hints.find(key);
    return it == hints.end() ? "the real value" : it->second;
}

bool is_placeholder(std::string_view s) {
    auto open = s.find('<');
    if (open == std::string_view::npos) return false;
    auto close = s.find('>', open + 1);
    if (close == std::string_view::npos || close == open + 1) return false;
    for (char c : s.substr(open + 1, close - open - 1))
        if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' ||
              c == '-' || c == ' '))
            return false;
    return true;
}

/// The value of an option naming an environment variable (`api_key_env`) is a name such as
/// ANTHROPIC_API_KEY: letters, digits and '_', not starting with a digit.
bool is_env_var_name(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

/// A string that reads as a key rather than a name: a run of 20 or more letters and digits
/// mixing both (a Kaggle key is 32 hex digits; "sk-ant-api03-..." has several). Names are
/// words joined by '_' ("MY_ANTHROPIC_KEY_2").
bool looks_like_key_value(std::string_view s) {
    std::size_t run = 0;
    bool letter = false, digit = false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) {
            ++run;
            letter = letter || std::isalpha(u);
            digit = digit || std::isdigit(u);
            if (run >= 20 && letter && digit) return true;
        } else {
            run = 0;
            letter = digit = false;
        }
    }
    return false;
}

/// The last word of a key, lower case: split at '_', '-' and camelCase humps ("apiKey" -> "key",
/// "APIKey" -> "key", "api_key_env" -> "env").
std::string last_word(std::string_view key) {
    std::size_t start = 0;
    for (std::size_t i = 1; i < key.size(); ++i) {
        const auto prev = static_cast<unsigned char>(key[i - 1]), c = static_cast<unsigned char>(key[i]);
        const bool next_lower = i + 1 < key.size() && std::islower(static_cast<unsigned char>(key[i + 1]));
        if (c == '_' || c == '-') start = i + 1;
        else if (std::isupper(c) && (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)))
            start = i;
    }
    return to_lower(key.substr(std::min(start, key.size())));
}

std::string json_kind(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: return "null";
        case json::kind::bool_: return "a boolean";
        case json::kind::int64:
        case json::kind::uint64: return "an integer";
        case json::kind::double_: return "a number";
        case json::kind::string: return "a string";
        case json::kind::array: return "an array";
        case json::kind::object: return "an object";
    }
    return "something else";
}

/// What was found, for messages: the type and (short) value.
std::string found(const json::value& v) { return json_kind(v) + " (" + show_json(v) + ")"; }

// --- Where each key is in the file -------------------------------------------------------------

struct Position {
    int line = 0, column = 0;
};

/// Maps dotted key paths ("agents.builder.plugin", "knowledge_files[1]") to where they start in
/// the text. Runs only on text Boost.JSON already accepted, so it can be simple.
class KeyLocator {
public:
    explicit KeyLocator(std::string_view text) : text_(text) {
        line_starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') line_starts_.push_back(i + 1);
        value("");
    }

    /// A key written twice in one object: JSON keeps the last, silently dropping the first.
    struct Duplicate {
        std::string path;
        std::size_t first = 0, second = 0;  ///< offsets of the two keys
    };

    std::optional<Position> find(const std::string& path) const {
        auto it = offsets_.find(path);
        if (it == offsets_.end()) return std::nullopt;
        return position(it->second);
    }
    Position position(std::size_t offset) const {
        auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin();
        return Position{static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
    }
    const std::vector<Duplicate>& duplicates() const { return duplicates_; }

    /// The position of `path`, or of its nearest ancestor that is in the file.
    std::optional<Position> find_nearest(std::string path) const {
        while (!path.empty()) {
            if (auto p = find(path)) return p;
            auto cut = path.find_last_of(".[");
            path = cut == std::string::npos ? "" : path.substr(0, cut);
        }
        return std::nullopt;
    }

private:
    void skip_space() {
        while (i_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[i_]))) ++i_;
    }
    unsigned hex4() {
        unsigned v = 0;
        for (int k = 0; k < 4 && i_ < text_.size(); ++k, ++i_) {
            const char c = text_[i_];
            v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                                                          : std::tolower(c) - 'a' + 10);
        }
        return v;
    }
    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    /// A string decoded as the JSON parser decodes it, so that key paths match the parsed keys
    /// (the text is valid JSON: escapes and surrogate pairs are well formed).
    std::string read_string() {
        std::string out;
        ++i_;  // opening quote
        while (i_ < text_.size() && text_[i_] != '"') {
            if (text_[i_] == '\\' && i_ + 1 < text_.size()) {
                char e = text_[++i_];
                ++i_;
                if (e == 'u') {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && i_ + 1 < text_.size() && text_[i_] == '\\' && text_[i_ + 1] == 'u') {
                        i_ += 2;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
                    }
                    append_utf8(out, cp);
                } else {
                    out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
                }
                continue;
            }
            out += text_[i_++];
        }
        ++i_;  // closing quote
        return out;
    }
    void value(const std::string& path) {
        skip_space();
        if (i_ >= text_.size()) return;
        if (text_[i_] == '{') {
            ++i_;
            std::map<std::string, std::size_t> seen;  // key -> offset, in this object
            while (true) {
                skip_space();
                if (i_ >= text_.size() || text_[i_] == '}') break;
                std::size_t at = i_;
                std::string key = read_string();
                std::string child = path.empty() ? key : path + "." + key;
                if (auto [it, inserted] = seen.emplace(key, at); !inserted) {
                    duplicates_.push_back({child, it->second, at});
                    it->second = at;
                }
                offsets_.insert_or_assign(child, at);  // the last one counts, as in the parser
                skip_space();
                ++i_;  // ':'
                value(child);
                skip_space();
                if (i_ < text_.size() && text_[i_] == ',') ++i_;
            }
            ++i_;
        } else if (text_[i_] == '[') {
            ++i_;
            for (int index = 0;; ++index) {
                skip_space();
                if (i_ >= text_.size() || text_[i_] == ']') break;
                std::string child = path + "[" + std::to_string(index) + "]";
                offsets_.insert_or_assign(child, i_);
                value(child);
                skip_space();
                if (i_ < text_.size() && text_[i_] == ',') ++i_;
            }
            ++i_;
        } else if (text_[i_] == '"') {
            read_string();
        } else {
            while (i_ < text_.size() && !std::strchr(",]} \t\r\n", text_[i_])) ++i_;
        }
    }

    std::string_view text_;
    std::size_t i_ = 0;
    std::vector<std::size_t> line_starts_;
    std::map<std::string, std::size_t> offsets_;
    std::vector<Duplicate> duplicates_;
};

Position position_of_offset(std::string_view text, std::size_t offset) {
    Position p{1, 1};
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

// --- The validator -----------------------------------------------------------------------------

class Validator {
public:
    Validator(const fs::path& root, const KeyLocator& locator) : root_(root), locator_(locator) {}

    void error(const std::string& path, std::string message) { add(Severity::error, path, std::move(message)); }
    void warning(const std::string& path, std::string message) { add(Severity::warning, path, std::move(message)); }
    std::vector<Diagnostic> take() { return std::move(diagnostics_); }
    bool has_errors() const {
        return std::any_of(diagnostics_.begin(), diagnostics_.end(),
                           [](const Diagnostic& d) { return d.severity == Severity::error; });
    }
    /// Paths already reported as placeholders or secrets: not reported again as type errors.
    void mark_reported(const std::string& path) { reported_.insert(path); }
    bool reported(const std::string& path) const { return reported_.count(path) > 0; }
    /// The key path where `problem` was first reported (`path` when this is the first time).
    const std::string& first_report_of(const std::string& problem, const std::string& path) {
        return first_reports_.emplace(problem, path).first->second;
    }

    // Typed readers. Each returns nullopt when the key is absent or wrong (wrong is reported).
    std::optional<std::string> string(const json::object& obj, std::string_view key, const std::string& path,
                                      bool allow_empty = false) {
        const json::value* v = present(obj, key, path);
        if (!v) return std::nullopt;
        if (!v->is_string()) return expected(path, *v, "a string");
        std::string s(v->as_string());
        if (s.empty() && !allow_empty) {
            error(path, "is empty; give a value or remove the key");
            return std::nullopt;
        }
        return s;
    }
    std::optional<std::string> choice(const json::object& obj, std::string_view key, const std::string& path,
                                      const std::vector<std::string>& allowed) {
        auto s = string(obj, key, path);
        if (!s) return std::nullopt;
        if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
        std::string message = "found \"" + *s + "\", allowed: " + join(allowed, ", ");
        if (auto near = nearest(*s, allowed)) message += " (did you mean \"" + *near + "\"?)";
        error(path, message);
        return std::nullopt;
    }
    std::optional<long long> integer(const json::object& obj, std::string_view key, const std::string& path,
                                     long long min, long long max = std::numeric_limits<long long>::max()) {
        const json::value* v = present(obj, key, path);
        if (!v) return std::nullopt;
        long long n = 0;
        if (v->is_int64()) {
            n = v->as_int64();
        } else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(max)) {
            n = static_cast<long long>(v->as_uint64());
        } else if (v->is_double() && std::floor(v->as_double()) == v->as_double() && std::abs(v->as_double()) < 1e15) {
            n = static_cast<long long>(v->as_double());
        } else {
            return expected(path, *v, "a whole number");
        }
        if (n < min || n > max) {
            error(path, "found " + std::to_string(n) + ", allowed: " + range(min, max));
            return std::nullopt;
        }
        return n;
    }
    std::optional<double> number(const json::object& obj, std::string_view key, const std::string& path, double min,
                                 double max = std::numeric_limits<double>::infinity()) {
        const json::value* v = present(obj, key, path);
        if (!v) return std::nullopt;
        if (!v->is_number()) return expected(path, *v, "a number");
        double d = v->to_number<double>();
        if (!(d >= min && d <= max)) {
            error(path, "found " + show_json(*v) + ", allowed: " + range(min, max));
            return std::nullopt;
        }
        return d;
    }
    std::optional<bool> boolean(const json::object& obj, std::string_view key, const std::string& path) {
        const json::value* v = present(obj, key, path);
        if (!v) return std::nullopt;
        if (!v->is_bool()) return expected(path, *v, "true or false");
        return v->as_bool();
    }
    const json::object* object(const json::object& obj, std::string_view key, const std::string& path) {
        const json::value* v = present(obj, key, path);
        if (!v) return nullptr;
        if (!v->is_object()) {
            expected(path, *v, "an object {...}");
            return nullptr;
        }
        return &v->as_object();
    }
    std::optional<std::vector<std::string>> strings(const json::object& obj, std::string_view key,
                                                    const std::string& path) {
        const json::value* v = present(obj, key, path);
        if (!v) return std::nullopt;
        if (!v->is_array()) return expected(path, *v, "an array of strings");
        std::vector<std::string> out;
        const auto& array = v->as_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            std::string item_path = path + "[" + std::to_string(i) + "]";
            if (reported(item_path)) continue;
            if (!array[i].is_string() || array[i].as_string().empty())
                expected(item_path, array[i], "a non-empty string");
            else
                out.emplace_back(array[i].as_string());
        }
        return out;
    }
    /// A path, resolved relative to the config file's folder ("~/" is the home folder).
    std::optional<fs::path> path(const json::object& obj, std::string_view key, const std::string& key_path) {
        auto s = string(obj, key, key_path);
        if (!s) return std::nullopt;
        return resolve(*s);
    }
    fs::path resolve(const std::string& s) const {
        fs::path p = s;
        if (s == "~" || s.rfind("~/", 0) == 0) {
            const char* home = std::getenv("HOME");
            p = fs::path(home ? home : "/") / s.substr(std::min<std::size_t>(2, s.size()));
        }
        return (p.is_absolute() ? p : root_ / p).lexically_normal();
    }

    /// Warns about keys not in `known`, suggesting the nearest known one. Keys starting with
    /// "_" are comments and ignored.
    void unknown_keys(const json::object& obj, const std::string& prefix, const std::vector<std::string>& known) {
        for (const auto& [k, v] : obj) {
            std::string key(k);
            std::string path = prefix.empty() ? key : prefix + "." + key;
            if (key.rfind('_', 0) == 0 || reported(path)) continue;
            if (std::find(known.begin(), known.end(), key) != known.end()) continue;
            std::string message = "unknown key, ignored";
            if (auto near = nearest(key, known)) message += "; did you mean \"" + *near + "\"?";
            else message += " (known keys: " + join(known, ", ") + ")";
            warning(path, message);
        }
    }

private:
    void add(Severity severity, const std::string& path, std::string message) {
        Diagnostic d{severity, path, std::move(message)};
        if (auto p = locator_.find_nearest(path)) {
            d.line = p->line;
            d.column = p->column;
        }
        diagnostics_.push_back(std::move(d));
    }
    const json::value* present(const json::object& obj, std::string_view key, const std::string& path) const {
        const json::value* v = obj.if_contains(key);
        if (!v || reported(path)) return nullptr;
        return v;
    }
    std::nullopt_t expected(const std::string& path, const json::value& v, const std::string& what) {
        error(path, "found " + found(v) + ", expected " + what);
        return std::nullopt;
    }
    template <class T>
    static std::string range(T min, T max) {
        auto show = [](T x) { return show_json(json::value(x)); };
        if (max == std::numeric_limits<T>::max() || max == std::numeric_limits<T>::infinity())
            return show(min) + " or more";
        return show(min) + " to " + show(max);
    }

    fs::path root_;
    const KeyLocator& locator_;
    std::vector<Diagnostic> diagnostics_;
    std::set<std::string> reported_;
    std::map<std::string, std::string> first_reports_;
};

/// An option naming an environment variable (`api_key_env`) must hold a name. A key pasted there
/// instead would be echoed by every message that names the variable, so the value is never shown.
void check_env_var_name(Validator& v, const json::value& value, const std::string& path) {
    if (!value.is_string() || value.as_string().empty()) return;
    const bool key_like = looks_like_key_value(value.as_string());
    if (is_env_var_name(value.as_string()) && !key_like) return;
    if (key_like)
        v.error(path, "holds what looks like a key itself (not shown here); this option names the environment variable "
                      "that holds the key: export the key (e.g. export ANTHROPIC_API_KEY=...) and write the variable's "
                      "name here (\"ANTHROPIC_API_KEY\")");
    else
        v.error(path, "is not the name of an environment variable (letters, digits and _, not starting with a digit; "
                      "the value is not shown in case it is a key); write the name of the variable that holds the key, "
                      "such as \"ANTHROPIC_API_KEY\" or \"OPENAI_API_KEY\"");
    v.mark_reported(path);
}

/// Reports every unreplaced placeholder and every secret-looking key, at any depth.
void scan_placeholders_and_secrets(Validator& v, const json::value& value, const std::string& path,
                                   std::string_view key) {
    if (value.is_string() && is_placeholder(value.as_string())) {
        v.error(path, "still holds the placeholder \"" + std::string(value.as_string()) + "\": fill in " +
                          placeholder_hint(key));
        v.mark_reported(path);
    } else if (value.is_object()) {
        for (const auto& [k, child] : value.as_object()) {
            std::string child_path = path.empty() ? std::string(k) : path + "." + std::string(k);
            if (k.starts_with('_')) continue;  // a comment
            if (is_secret_key(k)) {
                // The value is never echoed: it may be a real key.
                v.error(child_path,
                        "looks like a secret; secrets are never read from config.json. Remove it and put API keys "
                        "in environment variables (ANTHROPIC_API_KEY, OPENAI_API_KEY, or the variable named by "
                        "the plugin's api_key_env option) and Kaggle credentials in ~/.kaggle/kaggle.json "
                        "(or KAGGLE_USERNAME and KAGGLE_KEY)");
                v.mark_reported(child_path);
                continue;
            }
            if (last_word(k) == "env" && !(child.is_string() && is_placeholder(child.as_string())))
                check_env_var_name(v, child, child_path);
            if (!v.reported(child_path)) scan_placeholders_and_secrets(v, child, child_path, k);
        }
    } else if (value.is_array()) {
        const auto& array = value.as_array();
        for (std::size_t i = 0; i < array.size(); ++i)
            scan_placeholders_and_secrets(v, array[i], path + "[" + std::to_string(i) + "]", key);
    }
}

/// Keys written twice in one object: the parser keeps the last and the first is silently lost.
void report_duplicates(Validator& v, const KeyLocator& locator) {
    for (const auto& d : locator.duplicates()) {
        const Position first = locator.position(d.first), second = locator.position(d.second);
        v.error(d.path, "written twice in the same object (lines " + std::to_string(first.line) + " and " +
                            std::to_string(second.line) + "); JSON keeps only the last one, so remove one of them");
    }
}

bool valid_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
    return std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                       std::chrono::day(static_cast<unsigned>(d)))
        .ok();
}

// --- Sections ----------------------------------------------------------------------------------

/// One plugin slot: "name" or {"plugin": "name", "options": {...}}.
PluginSelection read_selection(Validator& v, const json::object& parent, std::string_view key,
                               const std::string& path, const std::string& default_plugin) {
    PluginSelection sel;
    sel.key_path = path;
    sel.plugin = default_plugin;
    const json::value* value = parent.if_contains(key);
    if (!value || v.reported(path)) return sel;
    if (value->is_string()) {
        sel.plugin = std::string(value->as_string());
        return sel;
    }
    if (!value->is_object()) {
        v.error(path, "found " + found(*value) + ", expected {\"plugin\": \"name\", \"options\": {...}} or \"name\"");
        return sel;
    }
    const auto& obj = value->as_object();
    if (auto plugin = v.string(obj, "plugin", path + ".plugin")) sel.plugin = *plugin;
    else if (!obj.contains("plugin") && !default_plugin.empty() && !v.reported(path + ".plugin"))
        v.warning(path, "no \"plugin\" given; using \"" + default_plugin + "\"");
    else if (!obj.contains("plugin"))
        v.error(path + ".plugin", "missing: name the plugin that serves this (autokaggle plugins lists them)");
    if (const json::object* options = v.object(obj, "options", path + ".options")) sel.options = *options;
    v.unknown_keys(obj, path, {"plugin", "options"});
    return sel;
}

void read_budget(Validator& v, const json::object& root, BudgetConfig& b) {
    const json::object* o = v.object(root, "budget", "budget");
    if (!o) return;
    if (auto x = v.integer(*o, "max_rounds", "budget.max_rounds", 0, 100000)) b.max_rounds = static_cast<int>(*x);
    if (auto x = v.number(*o, "max_hours", "budget.max_hours", 0)) b.max_hours = *x;
    if (auto x = v.number(*o, "max_usd", "budget.max_usd", 0)) b.max_usd = *x;
    if (auto x = v.integer(*o, "max_tokens", "budget.max_tokens", 0)) b.max_tokens = *x;
    v.unknown_keys(*o, "budget", {"max_rounds", "max_hours", "max_usd", "max_tokens"});
}

void read_orchestrator(Validator& v, const json::object& root, OrchestratorConfig& c) {
    const json::object* o = v.object(root, "orchestrator", "orchestrator");
    if (!o) return;
    const std::string p = "orchestrator.";
    if (auto x = v.integer(*o, "retro_every", p + "retro_every", 0, 1000)) c.retro_every = static_cast<int>(*x);
    if (auto x = v.integer(*o, "respawn_every", p + "respawn_every", 0, 1000)) c.respawn_every = static_cast<int>(*x);
    if (auto x = v.number(*o, "min_improvement", p + "min_improvement", 0)) c.min_improvement = *x;
    if (auto x = v.integer(*o, "endgame_days", p + "endgame_days", 0, 365)) c.endgame_days = static_cast<int>(*x);
    if (auto x = v.number(*o, "endgame_min_improvement", p + "endgame_min_improvement", 0))
        c.endgame_min_improvement = *x;
    if (auto x = v.boolean(*o, "submit", p + "submit")) c.submit = *x;
    if (auto x = v.integer(*o, "phase_retries", p + "phase_retries", 0, 10)) c.phase_retries = static_cast<int>(*x);
    v.unknown_keys(*o, "orchestrator",
                   {"retro_every", "respawn_every", "min_improvement", "endgame_days", "endgame_min_improvement",
                    "submit", "phase_retries"});
}

void read_verify(Validator& v, const json::object& root, VerifyConfig& c) {
    const json::object* o = v.object(root, "verify", "verify");
    if (!o) return;
    if (auto x = v.number(*o, "cv_tolerance", "verify.cv_tolerance", 0)) c.cv_tolerance = *x;
    v.unknown_keys(*o, "verify", {"cv_tolerance"});
}

void read_kill_gate(Validator& v, const json::object& root, KillGateConfig& c) {
    const json::object* o = v.object(root, "kill_gate", "kill_gate");
    if (!o) return;
    if (auto x = v.boolean(*o, "enabled", "kill_gate.enabled")) c.enabled = *x;
    if (auto x = v.number(*o, "relative_margin", "kill_gate.relative_margin", 0)) c.relative_margin = *x;
    if (auto x = v.number(*o, "max_correlation", "kill_gate.max_correlation", 0, 1)) c.max_correlation = *x;
    v.unknown_keys(*o, "kill_gate", {"enabled", "relative_margin", "max_correlation"});
}

void read_blend(Validator& v, const json::object& root, BlendConfig& c) {
    const json::object* o = v.object(root, "blend", "blend");
    if (!o) return;
    if (auto x = v.number(*o, "max_gap", "blend.max_gap", 0)) c.max_gap = *x;
    if (auto x = v.number(*o, "correlation_threshold", "blend.correlation_threshold", 0, 1))
        c.correlation_threshold = *x;
    if (auto x = v.integer(*o, "steps", "blend.steps", 0, 100000)) c.steps = static_cast<int>(*x);
    v.unknown_keys(*o, "blend", {"max_gap", "correlation_threshold", "steps"});
}

void read_tools(Validator& v, const json::object& root, ToolsConfig& c) {
    const json::object* o = v.object(root, "tools", "tools");
    if (!o) return;
    if (auto x = v.integer(*o, "read_limit_bytes", "tools.read_limit_bytes", 1000, 10'000'000))
        c.read_limit_bytes = static_cast<std::size_t>(*x);
    if (auto x = v.integer(*o, "output_limit_bytes", "tools.output_limit_bytes", 1000, 10'000'000))
        c.output_limit_bytes = static_cast<std::size_t>(*x);
    if (auto x = v.number(*o, "run_python_timeout_s", "tools.run_python_timeout_s", 1, 86400)) c.run_python_timeout_s = *x;
    if (auto x = v.integer(*o, "run_python_memory_mb", "tools.run_python_memory_mb", 0, 10'000'000))
        c.run_python_memory_mb = *x;
    if (auto x = v.strings(*o, "fetch_url_hosts", "tools.fetch_url_hosts")) c.fetch_url_hosts = *x;
    v.unknown_keys(*o, "tools", {"read_limit_bytes", "output_limit_bytes", "run_python_timeout_s", "run_python_memory_mb",
                                 "fetch_url_hosts"});
}

/// The validation scheme: cv_strategy and the columns and numbers it needs. The columns are
/// checked against train.csv where the data is read (`validate`, and the folds at campaign start).
void read_validation(Validator& v, const json::object& root, Config& config) {
    CompetitionInfo& c = config.competition;
    std::string default_cv = "KFold";
    if (c.task_type == "binary_classification" || c.task_type == "multiclass_classification")
        default_cv = "StratifiedKFold";
    else if (c.task_type == "time_series")
        default_cv = "TimeSeriesSplit";
    c.cv_strategy = default_cv;
    bool strategy_known = true;  // false after a bad cv_strategy was reported: no follow-up errors
    if (root.contains("cv_strategy")) {
        auto s = v.choice(root, "cv_strategy", "cv_strategy", cv_strategies());
        strategy_known = s.has_value();
        if (s) c.cv_strategy = *s;
    }
    if (c.task_type == "time_series" && c.cv_strategy != "TimeSeriesSplit" && !strategy_uses_groups(c.cv_strategy))
        v.warning("cv_strategy", c.cv_strategy + " on a time_series task mixes past and future rows across folds; "
                                                 "TimeSeriesSplit avoids that leak");
    if (auto n = v.integer(root, "cv_folds", "cv_folds", 2, 100)) c.cv_folds = static_cast<int>(*n);
    if (auto s = v.string(root, "group_column", "group_column")) c.group_column = *s;
    if (auto s = v.string(root, "time_column", "time_column")) c.time_column = *s;
    if (auto n = v.integer(root, "cv_gap", "cv_gap", 0, 1000000000)) c.cv_gap = static_cast<int>(*n);
    c.folds_dir = config.root / "folds";

    if (strategy_known && strategy_uses_groups(c.cv_strategy) && !root.contains("group_column"))
        v.error("group_column", "missing: " + c.cv_strategy + " keeps all rows of a group in one fold; name the "
                                "train.csv column that identifies the group (a patient, a user, a store...)");
    if (strategy_known && strategy_uses_time(c.cv_strategy) && !root.contains("time_column"))
        v.error("time_column", "missing: " + c.cv_strategy + " validates every fold on rows later than those it "
                               "trains on; name the train.csv column that orders rows in time (a date, a timestamp, "
                               "a step number, or the id column when ids grow with time)");
    if (strategy_known && !c.group_column.empty() && !strategy_uses_groups(c.cv_strategy))
        v.warning("group_column", "cv_strategy " + c.cv_strategy + " ignores it, so rows of one group can be in the "
                                  "training and the validation part of a fold (an optimistic CV); use GroupKFold or "
                                  "StratifiedGroupKFold, or remove the key");
    if (strategy_known && !c.time_column.empty() && !strategy_uses_time(c.cv_strategy))
        v.warning("time_column", "cv_strategy " + c.cv_strategy + " ignores it; only TimeSeriesSplit orders rows in time");
    if (strategy_known && root.contains("cv_gap") && !strategy_uses_time(c.cv_strategy))
        v.warning("cv_gap", "cv_strategy " + c.cv_strategy + " ignores it; only TimeSeriesSplit leaves a gap");
    auto not_the_target = [&](const std::string& key, const std::string& column, const std::string& role) {
        if (!column.empty() && column == c.target_column)
            v.error(key, "\"" + column + "\" is the target column; name the column that gives each row's " + role);
    };
    not_the_target("group_column", c.group_column, "group");
    not_the_target("time_column", c.time_column, "time");
}

/// The seed keys: what the competition is.
void read_competition(Validator& v, const json::object& root, Config& config) {
    CompetitionInfo& c = config.competition;
    auto required = [&](std::string_view key, const std::string& what) {
        if (!root.contains(key) && !v.reported(std::string(key)))
            v.error(std::string(key), "missing: " + what);
    };
    if (auto s = v.string(root, "competition", "competition")) c.competition = *s;
    required("competition", "the competition's slug (kaggle.com/competitions/<slug>)");
    if (auto s = v.choice(root, "task_type", "task_type", kTaskTypes)) c.task_type = *s;
    required("task_type", "one of " + join(kTaskTypes, ", "));
    if (auto s = v.string(root, "metric", "metric")) c.metric = *s;
    required("metric", "the evaluation metric's name (autokaggle plugins lists the metrics available)");
    if (auto s = v.string(root, "target_column", "target_column")) c.target_column = *s;
    required("target_column", "the column of train.csv to predict");
    if (auto s = v.string(root, "id_column", "id_column")) c.id_column = *s;
    required("id_column", "the row id column of sample_submission.csv");

    v.object(root, "metric_options", "metric_options");
    // Optional: the metric plugin declares the direction (check_metric fills it in and checks it).
    if (auto s = v.choice(root, "metric_direction", "metric_direction", kDirections)) c.metric_direction = *s;

    read_validation(v, root, config);
    if (auto s = v.string(root, "deadline", "deadline")) {
        if (!valid_date(*s)) v.error("deadline", "found \"" + *s + "\", expected a date YYYY-MM-DD (e.g. 2026-04-30)");
        else {
            c.deadline = *s;
            if (*s < utc_date())
                v.warning("deadline", *s + " has passed: `run` stops at once, without running a round or submitting; "
                                           "move or remove the deadline to go on");
        }
    }
    if (auto n = v.integer(root, "max_submissions_per_day", "max_submissions_per_day", 0, 1000)) {
        c.max_submissions_per_day = static_cast<int>(*n);
        if (*n == 0)
            v.warning("max_submissions_per_day", "0 means no submissions at all: neither the campaign nor "
                                                 "`autokaggle submit` sends one (remove the key for the default 5)");
    }
    if (auto n = v.integer(root, "seed", "seed", 0, std::numeric_limits<int>::max())) c.seed = static_cast<int>(*n);

    // competition_dir is where the competition's own files live; its data/ is the default data_dir.
    config.competition_dir = v.path(root, "competition_dir", "competition_dir");
    if (std::error_code ec; config.competition_dir && !fs::is_directory(*config.competition_dir, ec))
        v.error("competition_dir", config.competition_dir->string() + " is not a folder; fix the path or remove the key");
    fs::path data = config.competition_dir ? *config.competition_dir / "data" : v.resolve("data");
    if (auto p = v.path(root, "data_dir", "data_dir")) {
        data = *p;
        if (config.competition_dir)
            v.warning("competition_dir", "not used: data_dir is set (competition_dir only says where data/ is when "
                                         "data_dir is absent); remove one of the two");
    }
    c.train_csv = data / "train.csv";
    c.test_csv = data / "test.csv";
    c.sample_submission_csv = data / "sample_submission.csv";

    if (auto s = v.string(root, "python", "python")) {
        // A bare name ("python3") is looked up on PATH when experiments run; a path is resolved here.
        c.python = s->find('/') == std::string::npos ? fs::path(*s) : v.resolve(*s);
    }
    if (auto list = v.strings(root, "knowledge_files", "knowledge_files")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            fs::path p = v.resolve((*list)[i]);
            std::error_code ec;
            if (!fs::exists(p, ec))
                v.warning("knowledge_files[" + std::to_string(i) + "]", p.string() + " does not exist (yet)");
            c.knowledge_files.push_back(p);
        }
    }
    if (auto p = v.path(root, "best_pipeline_script", "best_pipeline_script")) {
        std::error_code ec;
        if (!fs::is_regular_file(*p, ec)) v.error("best_pipeline_script", p->string() + " is not a file");
        c.best_pipeline_script = *p;
    }
    if (auto p = v.path(root, "existing_oof_dir", "existing_oof_dir")) {
        std::error_code ec;
        if (!fs::is_directory(*p, ec)) v.error("existing_oof_dir", p->string() + " is not a folder");
        c.existing_oof_dir = *p;
    }
    config.scraper_path = v.path(root, "scraper_path", "scraper_path");
    if (auto s = v.string(root, "kaggle_username", "kaggle_username")) config.kaggle_username = *s;
    // Resolved where it is used (learnings/workspace_learnings.hpp, also before a config is valid).
    if (const auto* store = root.if_contains("learnings_store");
        store && !(store->is_string() && !store->as_string().empty()) && !(store->is_bool() && !store->as_bool()))
        v.error("learnings_store", "found " + show_json(*store) +
                                       ", expected the learnings store's path (\"~/notes/learnings.md\") or false for none");
}

void read_plugins(Validator& v, const json::object& root, Config& config) {
    const json::object* agents = v.object(root, "agents", "agents");
    const json::object no_agents;
    const std::vector<std::string> roles(kRoles.begin(), kRoles.end());
    for (const auto& role : roles)
        config.agents[role] = read_selection(v, agents ? *agents : no_agents, role, "agents." + role,
                                             kDefaultPlugins.at("agent"));
    if (agents) v.unknown_keys(*agents, "agents", roles);

    if (const json::object* llms = v.object(root, "llms", "llms")) {
        for (const auto& [name, value] : *llms) {
            std::string key(name);
            if (key.rfind('_', 0) == 0) continue;
            config.llms[key] = read_selection(v, *llms, key, "llms." + key, "");
        }
    }
    config.submitter = read_selection(v, root, "submitter", "submitter", kDefaultPlugins.at("submitter"));
    config.scraper = read_selection(v, root, "scraper", "scraper", kDefaultPlugins.at("scraper"));
    config.runner = read_selection(v, root, "runner", "runner", kDefaultPlugins.at("runner"));
    if (auto dirs = v.strings(root, "plugin_dirs", "plugin_dirs"))
        for (const auto& d : *dirs) config.plugin_dirs.push_back(v.resolve(d));
}

// --- Checks against the loaded plugins ---------------------------------------------------------

/// The plugin a slot names, or nullptr after reporting why there is none.
const PluginInfo* resolve_plugin(Validator& v, const PluginHost& host, std::string_view kind,
                                 const PluginSelection& sel) {
    const std::string path = sel.key_path + ".plugin";
    if (sel.plugin.empty() || v.reported(path)) return nullptr;
    try {
        return &host.find(kind, sel.plugin);
    } catch (const ConfigError& e) {
        // The full message (folders, names found) once per plugin; later slots refer to it.
        const std::string& first = v.first_report_of(std::string(kind) + "/" + sel.plugin, path);
        v.error(path, first == path ? std::string(e.what())
                                    : std::string(kind) + " plugin '" + sel.plugin + "' not found (see " + first + ")");
        return nullptr;
    }
}

/// Options minus secret-looking keys (already reported; their values must never be echoed).
json::object without_reported(Validator& v, const json::object& options, const std::string& path) {
    json::object out;
    for (const auto& [k, value] : options)
        if (!v.reported(path + "." + std::string(k))) out[k] = value;
    return out;
}

void validate_selection(Validator& v, const PluginHost& host, std::string_view kind, PluginSelection& sel,
                        std::vector<Diagnostic>& option_diags) {
    const PluginInfo* info = resolve_plugin(v, host, kind, sel);
    if (!info) return;
    const std::string options_path = sel.key_path + ".options";
    sel.options = host.validate_options(*info, without_reported(v, sel.options, options_path), options_path,
                                        option_diags);
}

void check_agent_serves_task(Validator& v, const PluginHost& host, const std::string& task_type,
                             const PluginSelection& sel) {
    if (task_type.empty()) return;
    const PluginInfo* info = nullptr;
    for (const auto& p : host.plugins())
        if (p.kind == "agent" && p.name == sel.plugin) info = &p;
    if (!info || info->provides.empty()) return;
    auto serves = [&](const PluginInfo& p) {
        return p.provides.empty() ||
               std::any_of(p.provides.begin(), p.provides.end(),
                           [&](const std::string& t) { return t == "*" || t == task_type; });
    };
    if (serves(*info)) return;
    std::vector<std::string> able;
    for (const auto& p : host.plugins())
        if (p.kind == "agent" && serves(p)) able.push_back(p.name);
    v.error(sel.key_path + ".plugin",
            "agent plugin '" + info->name + "' cannot serve task_type \"" + task_type + "\" (it serves " +
                join(info->provides, ", ") + "); choose an agent that writes its own code, such as the llm, " +
                "claude-code or codex plugins" +
                (able.empty() ? std::string() : " (found here: " + join(able, ", ") + ")"));
}

/// Agent plugins share a convention: an option named "llm" names a configuration under "llms".
/// Checked on what the user wrote (a plugin's default may name a configuration only some use).
void check_llm_reference(Validator& v, const Config& config, const std::string& role, const PluginSelection& sel) {
    const json::value* agents = config.raw.if_contains("agents");
    const json::value* slot = agents && agents->is_object() ? agents->as_object().if_contains(role) : nullptr;
    const json::value* options = slot && slot->is_object() ? slot->as_object().if_contains("options") : nullptr;
    const json::value* llm = options && options->is_object() ? options->as_object().if_contains("llm") : nullptr;
    if (!llm || !llm->is_string() || config.llms.count(std::string(llm->as_string()))) return;
    std::vector<std::string> names;
    for (const auto& [name, unused] : config.llms) names.push_back(name);
    v.error(sel.key_path + ".options.llm",
            "names \"" + std::string(llm->as_string()) + "\", which is not configured under \"llms\" (" +
                (names.empty() ? std::string("no llms configured") : "configured: " + join(names, ", ")) + ")");
}

/// The metric: some plugin provides it, metric_options pass the plugin's schema and its
/// factory, and metric_direction, when given, agrees with the direction the plugin declares
/// (when absent, the plugin's direction fills it in).
void check_metric(Validator& v, const PluginHost& host, Config& config) {
    const std::string& metric = config.competition.metric;
    if (metric.empty() || v.reported("metric")) return;
    const PluginInfo* info = host.find_metric(metric);
    if (!info) {
        std::vector<std::string> available;
        for (const auto& p : host.plugins())
            if (p.kind == "metric") available.insert(available.end(), p.provides.begin(), p.provides.end());
        std::string message = "no metric plugin provides \"" + metric + "\"; available metrics: " +
                              (available.empty() ? "none (no metric plugin found)" : join(available, ", "));
        if (auto near = nearest(metric, available)) message += " (did you mean \"" + *near + "\"?)";
        v.error("metric", message);
        return;
    }
    if (v.reported("metric_options")) return;
    std::vector<Diagnostic> option_diags;
    const json::object options = host.validate_options(*info, metric_options(config.raw), "metric_options", option_diags);
    bool option_errors = false;
    for (auto& d : option_diags) {
        if (d.severity == Severity::error) {
            option_errors = true;
            v.error(d.key_path, d.message + "; fix the value or remove the key (the plugin's default applies)");
        } else {
            v.warning(d.key_path, d.message);
        }
    }
    if (option_errors) return;
    StandaloneHost standalone(host, config.competition, config.raw);  // outlives the metric
    std::shared_ptr<Metric> created;
    try {
        created = host.create_metric(metric, PluginContext{metric, options, &standalone});
    } catch (const std::exception& e) {
        v.error("metric_options", std::string("metric plugin '") + info->name + "' refused them: " + e.what() +
                                      "; fix the option it names");
        return;
    }
    const std::string declared = direction_name(created->direction());
    std::string& direction = config.competition.metric_direction;
    if (direction.empty() && !v.reported("metric_direction")) {
        direction = declared;
    } else if (!direction.empty() && direction != declared) {
        v.error("metric_direction", "\"" + direction + "\" contradicts metric " + metric + ", which metric plugin '" +
                                        info->name + "' declares " + declared + "-is-better; remove the key (the "
                                        "plugin's direction applies) or set it to \"" + declared + "\"");
    }
}

void check_with_plugins(Validator& v, const PluginHost& host, Config& config) {
    std::vector<Diagnostic> option_diags;
    for (auto& [role, sel] : config.agents) {
        validate_selection(v, host, "agent", sel, option_diags);
        check_agent_serves_task(v, host, config.competition.task_type, sel);
        check_llm_reference(v, config, role, sel);
    }
    for (auto& [name, sel] : config.llms) validate_selection(v, host, "llm", sel, option_diags);
    validate_selection(v, host, "submitter", config.submitter, option_diags);
    validate_selection(v, host, "scraper", config.scraper, option_diags);
    validate_selection(v, host, "runner", config.runner, option_diags);
    for (auto& d : option_diags) {
        if (d.severity == Severity::error) v.error(d.key_path, d.message);
        else v.warning(d.key_path, d.message);
    }

    check_metric(v, host, config);
}

}  // namespace

// --- Public API ----------------------------------------------------------------------------------

const std::vector<std::string>& cv_strategies() {
    static const std::vector<std::string> strategies{"KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold",
                                                     "TimeSeriesSplit"};
    return strategies;
}

bool strategy_uses_groups(std::string_view strategy) {
    return strategy == "GroupKFold" || strategy == "StratifiedGroupKFold";
}

bool strategy_stratifies(std::string_view strategy) {
    return strategy == "StratifiedKFold" || strategy == "StratifiedGroupKFold";
}

bool strategy_uses_time(std::string_view strategy) { return strategy == "TimeSeriesSplit"; }

ConfigLoadResult load_config(const fs::path& config_file, const PluginHost* plugins) {
    std::error_code ec;
    const fs::path file = fs::absolute(config_file, ec).lexically_normal();
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(file);
    } catch (const Error& e) {
        ConfigLoadResult result;
        result.diagnostics.push_back({Severity::error, "", e.what()});
        return result;
    }
    if (!text) {
        ConfigLoadResult result;
        result.diagnostics.push_back({Severity::error, "", file.string() + " not found; create one with "
                                                          "`autokaggle init " + file.parent_path().string() + "`"});
        return result;
    }
    return parse_config(*text, file, plugins);
}

ConfigLoadResult parse_config(std::string_view text, const fs::path& config_file, const PluginHost* plugins) {
    ConfigLoadResult result;
    std::error_code ec;
    const fs::path file = fs::absolute(config_file, ec).lexically_normal();
    // Editors on Windows save UTF-8 with a byte-order mark; it carries no content.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

    json::stream_parser parser;
    std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        Position at = position_of_offset(text, consumed);
        result.diagnostics.push_back({Severity::error, "",
                                      "invalid JSON: " + ec.message() +
                                          " (check for a missing comma or quote, a trailing comma, or a comment "
                                          "near here; JSON allows none of those)",
                                      at.line, at.column});
        return result;
    }
    json::value root_value = parser.release();
    if (!root_value.is_object()) {
        result.diagnostics.push_back({Severity::error, "", "found " + found(root_value) +
                                                               " at the top level, expected an object {...}", 1, 1});
        return result;
    }

    Config config;
    config.file = file;
    config.root = file.parent_path();
    config.raw = std::move(root_value.as_object());
    KeyLocator locator(text);
    Validator v(config.root, locator);

    report_duplicates(v, locator);
    scan_placeholders_and_secrets(v, config.raw, "", "");
    read_competition(v, config.raw, config);
    read_plugins(v, config.raw, config);
    read_budget(v, config.raw, config.budget);
    read_orchestrator(v, config.raw, config.orchestrator);
    read_verify(v, config.raw, config.verify);
    read_kill_gate(v, config.raw, config.kill_gate);
    read_blend(v, config.raw, config.blend);
    read_tools(v, config.raw, config.tools);
    config.competition.max_rounds = config.budget.max_rounds;
    v.unknown_keys(config.raw, "", kTopLevelKeys);
    if (plugins) check_with_plugins(v, *plugins, config);

    result.plugin_dirs = config.plugin_dirs;
    bool errors = v.has_errors();
    result.diagnostics = v.take();
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return (a.line == 0 ? std::numeric_limits<int>::max() : a.line) <
               (b.line == 0 ? std::numeric_limits<int>::max() : b.line);
    });
    if (errors) result.partial = std::move(config);
    else result.config = std::move(config);
    return result;
}

bool is_secret_key(std::string_view key) {
    static const std::set<std::string, std::less<>> secret_words{"key", "apikey", "token", "secret", "password", "passwd"};
    return secret_words.count(last_word(key)) > 0;
}

Config load_config_or_throw(const fs::path& config_file, const PluginHost* plugins) {
    ConfigLoadResult result = load_config(config_file, plugins);
    std::string errors;
    std::size_t count = 0;
    for (const auto& d : result.diagnostics) {
        if (d.severity == Severity::warning) {
            std::cerr << d.format() << "\n";
        } else {
            errors += "\n  " + d.format();
            ++count;
        }
    }
    if (!result.ok())
        throw ConfigError(config_file.string() + " has " + std::to_string(count) + (count == 1 ? " error" : " errors") +
                          " (autokaggle validate shows them all):" + errors);
    return std::move(*result.config);
}

WorkspacePaths workspace_paths(const Config& config) {
    WorkspacePaths p;
    p.root = config.root;
    p.config = config.file;
    p.data = config.competition.train_csv.parent_path();
    p.rounds = config.root / "rounds";
    p.agents = config.root / "agents";
    p.knowledge = config.root / "knowledge";
    p.logs = config.root / "logs";
    p.state = config.root / "state.json";
    p.results = config.root / "results.tsv";
    p.experiments = config.root / "experiments.json";
    p.learnings = config.root / "LEARNINGS.md";
    return p;
}

}  // namespace autokaggle

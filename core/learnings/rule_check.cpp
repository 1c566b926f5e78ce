#include "learnings/rule_check.hpp"

#include "base/text.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

namespace autokaggle::learnings {

namespace {

/// Words that name a data set's structure rather than one data set: a column or slug part
/// spelled like this says nothing about which competition a rule came from.
const std::set<std::string, std::less<>> kStructuralWords{
    "id", "ids", "target", "label", "labels", "class", "classes", "value", "values", "score", "prediction",
    "predictions", "feature", "features", "row", "rows", "count", "type", "date", "time", "group", "fold", "weight",
    "weights", "text", "data", "dataset", "train", "test", "series", "playground", "competition", "challenge",
    "season", "episode", "kaggle", "tabular", "binary", "multiclass", "classification", "regression", "forecast",
    "forecasting", "detection", "segmentation", "model", "models", "sample", "submission", "index", "category",
    "categories", "image", "images", "year", "month", "day", "week", "hour", "name", "status", "result", "results",
    "output", "input", "level"};

/// Words that make a number next to them a score, whatever the metric; the metrics' own names
/// come from the plugins (CompetitionWords::metric_words).
const std::set<std::string, std::less<>> kScoreWords{"cv",   "lb",          "score",  "scores", "scored",
                                                     "scoring", "leaderboard", "metric", "loss"};

/// Words after a number that make it a count or a ratio rather than a score.
const std::set<std::string, std::less<>> kUnitWords{
    "fold", "folds", "round", "rounds", "family", "families", "model", "models", "member", "members", "tree",
    "trees", "seed", "seeds", "percent", "x", "times", "hour", "hours", "minute", "minutes", "row", "rows",
    "column", "columns", "step", "steps", "run", "runs", "noise", "fold-noise", "standard"};

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

struct Token {
    std::string text;  ///< lower case
    bool number = false;
    int fraction_digits = 0;
    bool percent = false;  ///< followed by '%'
};

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        const bool starts_number = std::isdigit(static_cast<unsigned char>(c)) ||
                                   (c == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
                                    (i == 0 || !word_char(text[i - 1])));
        if (!word_char(c) && !starts_number) {
            ++i;
            continue;
        }
        Token t;
        const std::size_t start = i;
        bool seen_dot = false;
        while (i < text.size()) {
            const char d = text[i];
            if (word_char(d)) {
                ++i;
            } else if (d == '.' && !seen_dot && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
                       all_digits(text.substr(start, i - start))) {
                seen_dot = true;
                ++i;
            } else {
                break;
            }
        }
        t.text = to_lower(text.substr(start, i - start));
        t.number = !t.text.empty() && std::all_of(t.text.begin(), t.text.end(), [](char e) {
            return std::isdigit(static_cast<unsigned char>(e)) || e == '.';
        }) && std::any_of(t.text.begin(), t.text.end(), [](char e) { return std::isdigit(static_cast<unsigned char>(e)) != 0; });
        if (t.number) {
            const auto dot = t.text.find('.');
            t.fraction_digits = dot == std::string::npos ? 0 : static_cast<int>(t.text.size() - dot - 1);
            t.percent = i < text.size() && text[i] == '%';
        }
        out.push_back(std::move(t));
    }
    return out;
}

/// `needle` (lower case) in `haystack` (lower case) as a whole word.
bool has_word(std::string_view haystack, std::string_view needle) {
    if (needle.empty()) return false;
    for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos; pos = haystack.find(needle, pos + 1)) {
        const bool left = pos == 0 || !word_char(haystack[pos - 1]);
        const std::size_t end = pos + needle.size();
        const bool right = end >= haystack.size() || !word_char(haystack[end]);
        if (left && right) return true;
    }
    return false;
}

bool is_round_tag(const std::string& t) {
    return t.size() >= 3 && t.size() <= 4 && t[0] == 'r' && all_digits(std::string_view(t).substr(1));
}

std::string score_specific(const std::vector<Token>& tokens, const CompetitionWords& words) {
    auto score_word = [&](const std::string& w) {
        return kScoreWords.count(w) || w == words.metric ||
               std::find(words.metric_words.begin(), words.metric_words.end(), w) != words.metric_words.end();
    };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        if (!t.number) continue;
        if (t.fraction_digits >= 3) return "holds a raw score ('" + t.text + "'); say how much it changed in fold-noise units or percent";
        if (t.percent || (i + 1 < tokens.size() && kUnitWords.count(tokens[i + 1].text))) continue;
        // "fold 1" names the first fold of any campaign (the kill gate's), not a score; a round
        // number stays specific to one campaign.
        if (i > 0 && tokens[i - 1].text == "fold") continue;
        const std::size_t from = i >= 2 ? i - 2 : 0, to = std::min(tokens.size(), i + 3);
        for (std::size_t j = from; j < to; ++j) {
            if (j == i) continue;
            if (score_word(tokens[j].text))
                return "holds a raw score ('" + tokens[j].text + " ... " + t.text +
                       "'); say how much it changed in fold-noise units or percent";
        }
    }
    return {};
}

std::string tidy(std::string text) {
    std::string out;
    for (char c : text) {
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        if ((c == '.' || c == ',' || c == ';' || c == ':') && !out.empty() && out.back() == ' ') out.pop_back();
        out += c;
    }
    return trim(out);
}

/// The words of metric names ("auc_roc" -> auc, roc; "map@k" -> map; "r2" -> r2), without the
/// placeholder k, bare digits and repeats.
std::vector<std::string> metric_name_words(const std::vector<std::string>& names) {
    std::vector<std::string> words;
    for (const auto& name : names) {
        std::string word;
        for (const char c : to_lower(name) + " ") {
            if (std::isalnum(static_cast<unsigned char>(c))) {
                word += c;
                continue;
            }
            if (word.size() >= 2 && !all_digits(word) && std::find(words.begin(), words.end(), word) == words.end())
                words.push_back(word);
            word.clear();
        }
    }
    return words;
}

}  // namespace

CompetitionWords competition_words(std::string_view slug, std::string_view metric, const std::filesystem::path& train_csv,
                                   const std::vector<std::string>& metric_names) {
    CompetitionWords w;
    w.metric = to_lower(metric);
    std::vector<std::string> names = metric_names;
    names.emplace_back(metric);
    w.metric_words = metric_name_words(names);
    const std::string s = to_lower(trim(slug));
    if (!s.empty() && s != "<placeholder>") {
        w.names.push_back(s);
        std::string spaced = s, underscored = s;
        std::replace(spaced.begin(), spaced.end(), '-', ' ');
        std::replace(underscored.begin(), underscored.end(), '-', '_');
        for (const auto& v : {spaced, underscored})
            if (v != s) w.names.push_back(v);
        for (auto part : split(std::string(s), '-')) {
            for (auto piece : split(part, '_')) {
                if (piece.size() >= 4 && !all_digits(piece) && !kStructuralWords.count(piece)) w.names.push_back(piece);
            }
        }
    }
    std::ifstream in(train_csv, std::ios::binary);
    std::string header;
    if (in && std::getline(in, header)) {
        if (!header.empty() && header.back() == '\r') header.pop_back();
        if (header.rfind("\xEF\xBB\xBF", 0) == 0) header.erase(0, 3);
        for (auto column : split(header, ',')) {
            column = to_lower(trim(column));
            if (column.size() >= 2 && column.front() == '"' && column.back() == '"') column = column.substr(1, column.size() - 2);
            if (column.size() >= 3 && !kStructuralWords.count(column)) w.columns.push_back(column);
        }
    }
    return w;
}

std::string specific_in(std::string_view text, const CompetitionWords& words) {
    const std::string lower = to_lower(text);
    for (const auto& name : words.names)
        if (has_word(lower, name)) return "names the competition ('" + name + "')";
    for (const auto& column : words.columns)
        if (has_word(lower, column)) return "names a column of its data ('" + column + "')";
    const auto tokens = tokenize(text);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (is_round_tag(tokens[i].text) ||
            ((tokens[i].text == "round" || tokens[i].text == "rounds") && i + 1 < tokens.size() && tokens[i + 1].number))
            return "refers to a round of one campaign ('" + tokens[i].text + "')";
    }
    return score_specific(tokens, words);
}

RuleCheck check_general(std::string_view rule, const CompetitionWords& words) {
    RuleCheck r;
    std::string text = tidy(std::string(rule));
    if (text.empty()) {
        r.reason = "is empty";
        return r;
    }
    if (text.size() > 400) {
        r.reason = "is longer than 400 characters; keep a rule to one sentence and its evidence in the findings";
        return r;
    }
    if (specific_in(text, words).empty()) {
        r.accepted = true;
        r.text = text;
        return r;
    }
    // Drop parentheses and brackets that hold specifics: "X beat Y (CV 0.84 vs 0.83)" -> "X beat Y".
    std::string kept, dropped;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char open = text[i];
        if (open == '(' || open == '[') {
            const char close = open == '(' ? ')' : ']';
            const auto end = text.find(close, i + 1);
            if (end != std::string::npos) {
                const std::string group = text.substr(i, end - i + 1);
                if (!specific_in(group, words).empty()) {
                    dropped += (dropped.empty() ? "" : " ") + group;
                    i = end;
                    continue;
                }
            }
        }
        kept += open;
    }
    kept = tidy(kept);
    if (const auto left = specific_in(kept, words); !left.empty() || kept.empty()) {
        r.reason = left.empty() ? specific_in(text, words) : left;
        return r;
    }
    r.accepted = true;
    r.text = kept;
    r.reason = "dropped " + dropped;
    return r;
}

std::string rule_id(std::string_view text) {
    std::string words;
    bool gap = false;
    for (char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            if (gap && !words.empty()) words += ' ';
            words += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            gap = false;
        } else {
            gap = true;
        }
    }
    return content_hash(words).substr(0, 8);
}

bool is_rule_id(std::string_view text) {
    return text.size() == 8 && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
           });
}

}  // namespace autokaggle::learnings

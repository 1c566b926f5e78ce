#include "runner/score_lines.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace autokaggle {

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void skip_spaces(std::string_view s, std::size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

/// Case-insensitive match of `word` at position i.
bool match_word(std::string_view s, std::size_t i, std::string_view word) {
    if (s.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k)
        if (std::toupper(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
    return true;
}

std::optional<double> parse_value(std::string_view s, std::size_t i) {
    skip_spaces(s, i);
    if (i < s.size() && s[i] == '+') ++i;
    double value = 0;
    auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), value);
    if (ec != std::errc() || !std::isfinite(value)) return std::nullopt;
    return value;
}

/// "SCORE" then optional spaces, then '=' or ':'; returns the index after it.
std::optional<std::size_t> after_key(std::string_view s, std::size_t i, std::string_view key) {
    if (!match_word(s, i, key)) return std::nullopt;
    i += key.size();
    skip_spaces(s, i);
    if (i >= s.size() || (s[i] != '=' && s[i] != ':')) return std::nullopt;
    return i + 1;
}

std::optional<ScoreEvent> parse_cv(std::string_view line) {
    for (std::size_t at = line.find("CV_SCORE"); at != std::string_view::npos; at = line.find("CV_SCORE", at + 1)) {
        if (at > 0 && is_word_char(line[at - 1])) continue;
        auto value_at = after_key(line, at, "CV_SCORE");
        if (!value_at) continue;
        if (auto v = parse_value(line, *value_at)) return ScoreEvent{ScoreEvent::Kind::cv, 0, *v};
    }
    return std::nullopt;
}

std::optional<ScoreEvent> parse_fold(std::string_view line) {
    for (std::size_t at = 0; at + 4 <= line.size(); ++at) {
        if (!match_word(line, at, "FOLD") || (at > 0 && is_word_char(line[at - 1]))) continue;
        std::size_t i = at + 4;
        if (i >= line.size() || (line[i] != ' ' && line[i] != '\t')) continue;
        skip_spaces(line, i);
        int fold = 0;
        auto [end, ec] = std::from_chars(line.data() + i, line.data() + line.size(), fold);
        if (ec != std::errc() || fold < 1) continue;
        i = static_cast<std::size_t>(end - line.data());
        if (i < line.size() && line[i] == '/') {  // "FOLD 2/5"
            ++i;
            while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
        }
        skip_spaces(line, i);
        // "FOLD k DONE": the fold is complete and the script leaves its score to the host.
        if (match_word(line, i, "DONE") && (i + 4 == line.size() || !is_word_char(line[i + 4])))
            return ScoreEvent{ScoreEvent::Kind::fold, fold, std::numeric_limits<double>::quiet_NaN()};
        auto value_at = after_key(line, i, "SCORE");
        if (!value_at) continue;
        if (auto v = parse_value(line, *value_at)) return ScoreEvent{ScoreEvent::Kind::fold, fold, *v};
    }
    return std::nullopt;
}

}  // namespace

std::optional<ScoreEvent> parse_score_line(std::string_view line) {
    if (auto cv = parse_cv(line)) return cv;
    return parse_fold(line);
}

ScoreLineParser::ScoreLineParser(std::size_t tail_lines, std::size_t max_line_chars)
    : tail_lines_(tail_lines), max_line_chars_(max_line_chars) {}

void ScoreLineParser::end_line(std::vector<ScoreEvent>& events) {
    ++lines_;
    if (auto event = parse_score_line(line_)) {
        if (event->kind == ScoreEvent::Kind::cv) cv_ = event->value;
        else folds_[event->fold] = event->value;
        events.push_back(*event);
    }
    if (tail_lines_ > 0) {
        tail_.push_back(std::move(line_));
        while (tail_.size() > tail_lines_) tail_.pop_front();
    }
    line_.clear();
}

std::vector<ScoreEvent> ScoreLineParser::feed(std::string_view chunk) {
    std::vector<ScoreEvent> events;
    if (chunk.empty()) return events;
    // "\r\n" ends one line, also when a chunk boundary falls between the two characters.
    if (after_cr_ && !chunk.empty() && chunk.front() == '\n') chunk.remove_prefix(1);
    after_cr_ = false;
    while (!chunk.empty()) {
        auto end = chunk.find_first_of("\r\n");
        std::string_view piece = chunk.substr(0, end);
        if (line_.size() < max_line_chars_) line_.append(piece.substr(0, max_line_chars_ - line_.size()));
        if (end == std::string_view::npos) break;
        end_line(events);
        bool cr = chunk[end] == '\r';
        chunk.remove_prefix(end + 1);
        if (cr) {
            if (chunk.empty()) after_cr_ = true;
            else if (chunk.front() == '\n') chunk.remove_prefix(1);
        }
    }
    return events;
}

std::vector<ScoreEvent> ScoreLineParser::finish() {
    std::vector<ScoreEvent> events;
    if (!line_.empty()) end_line(events);
    return events;
}

std::vector<double> ScoreLineParser::fold_scores() const {
    std::vector<double> scores;
    for (const auto& [fold, value] : folds_)
        if (!std::isnan(value)) scores.push_back(value);
    return scores;
}

std::string ScoreLineParser::tail() const {
    std::string out;
    for (const auto& line : tail_) {
        out += line;
        out += '\n';
    }
    return out;
}

}  // namespace autokaggle

// The lines an experiment script prints for the host (docs/script-contract.md):
//   FOLD k SCORE=x   after each fold (k from 1; "FOLD 2/5 SCORE=x" also accepted)
//   FOLD k DONE      after a fold the script does not score itself (the host scores it)
//   CV_SCORE=x       once at the end (the last one counts)
// The parser is fed raw output as it arrives: chunks may split lines anywhere, lines may be
// megabytes long or carry prefixes (timestamps, log levels), and '\r' (progress bars) ends a
// line too. Memory stays bounded whatever the script prints.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

struct ScoreEvent {
    enum class Kind { fold, cv };
    Kind kind = Kind::fold;
    int fold = 0;       ///< 1-based (fold events)
    double value = 0;   ///< finite; NaN for "FOLD k DONE" (a fold reported without a score)
};

/// One line, or nullopt when it carries no score. Non-finite values are ignored.
std::optional<ScoreEvent> parse_score_line(std::string_view line);

class ScoreLineParser {
public:
    /// Keeps the last `tail_lines` lines (each cut at `max_line_chars`) for log tails.
    explicit ScoreLineParser(std::size_t tail_lines = 40, std::size_t max_line_chars = 2000);

    /// Feeds a chunk of output; returns the score lines it completed, in order.
    std::vector<ScoreEvent> feed(std::string_view chunk);
    /// Ends the stream (a last line without a newline counts).
    std::vector<ScoreEvent> finish();

    /// Fold scores by fold number (a repeated fold keeps its last value).
    const std::map<int, double>& folds() const { return folds_; }
    /// Fold scores in fold order (folds reported DONE have none).
    std::vector<double> fold_scores() const;
    std::optional<double> cv_score() const { return cv_; }
    /// The last lines, newline-terminated.
    std::string tail() const;
    std::size_t lines() const { return lines_; }

private:
    void end_line(std::vector<ScoreEvent>& events);

    std::size_t tail_lines_, max_line_chars_;
    std::string line_;          ///< current partial line, at most max_line_chars_
    std::deque<std::string> tail_;
    std::map<int, double> folds_;
    std::optional<double> cv_;
    std::size_t lines_ = 0;
    bool after_cr_ = false;
};

}  // namespace autokaggle

// Small text helpers shared by the config loader, the plugin host and the CLI.
#pragma once

#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& items, std::string_view separator);
std::string trim(std::string_view text);
/// The last `max_chars` characters of `text` without trailing blank lines, from a line boundary
/// when possible, with "..." in front when something was cut (error messages quoting output).
std::string text_tail(std::string_view text, std::size_t max_chars);

/// ASCII lower case, for matching names and messages without regard to case.
std::string to_lower(std::string_view text);
/// Equal ignoring ASCII case (HTTP header names, wire enum values).
bool iequals(std::string_view a, std::string_view b);
/// True when `needle` occurs in `haystack`.
bool contains(std::string_view haystack, std::string_view needle);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `word` when it is a plausible typo (edit distance at most a third
/// of the longer name, between 1 and 3) or one name contains the other; else nullopt.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);

/// "a" or "an" for a kind name ("an agent", "a metric").
std::string_view article(std::string_view word);

/// True when a metric plugin's `provides` entry serves `metric`: equal names, or a pattern
/// ending in "@k" ("map@k") matching that prefix followed by a positive whole number ("map@12").
bool metric_pattern_matches(std::string_view provided, std::string_view metric);

/// A JSON value as a user would write it, for messages: numbers as "2.5" rather than Boost.JSON's
/// "2.5E0"; cut to `max_length` characters with "..." when longer.
std::string show_json(const boost::json::value& value, std::size_t max_length = 60);

/// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD, so that it
/// can go into a JSON file (a JSON parser refuses the file otherwise).
std::string valid_utf8(std::string_view text);

/// `value` serialized as strict JSON whatever it holds: strings (and keys) through valid_utf8,
/// non-finite numbers as null (JSON has no infinity; 1e400 parses to one). Every JSON file the
/// program writes reads back.
std::string strict_json(const boost::json::value& value);

/// A short fingerprint of a text (64-bit FNV-1a as 16 hex digits) for seen-lists: telling
/// whether a note changed, not security.
std::string content_hash(std::string_view text);

}  // namespace autokaggle

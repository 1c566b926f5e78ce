// The two operations LEARNINGS.md upkeep needs on markdown: the bullets under some headings,
// and replacing one "## " section in place (adding it at the end when absent).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::learnings {

/// The text of each bullet ("- x" or "* x", any indentation) under a heading for which
/// `wanted(heading line)` is true, up to the next heading.
std::vector<std::string> bullets_under(std::string_view markdown, const std::function<bool(std::string_view)>& wanted);

/// The bullets under a heading containing "learn" ("## Learnings"): what a findings or retro
/// file hands to LEARNINGS.md.
std::vector<std::string> learnings_bullets(std::string_view markdown);

/// `text` with the section whose heading line equals `heading` (from it to the next "## "
/// heading) replaced by `heading` + "\n" + `body`; added at the end when absent (unless `body`
/// is empty, then `text` is returned unchanged).
std::string replace_section(std::string text, std::string_view heading, std::string_view body);

/// True for "## R07" and "## R10 retro": the sections a campaign's rounds write.
bool is_round_heading(std::string_view heading);

}  // namespace autokaggle::learnings

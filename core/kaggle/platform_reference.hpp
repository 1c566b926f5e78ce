// KAGGLE_API.md, the reference the agents read about the platform (docs/kaggle.md): the
// competition's deadline and submission limits as the Kaggle API states them, and what Kaggle's
// documentation says about submissions, kernels (GPU kinds, weekly quota, session limits) and
// the kernel commands the kaggle-kernels runner uses. Each part says where it comes from and
// as of which date.
#pragma once

#include "kaggle/api.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace autokaggle::kaggle {

/// When the documented part was last checked against Kaggle's documentation.
inline constexpr std::string_view kDocumentedAsOf = "2026-12-06";

struct PlatformFacts {
    std::string slug;                        ///< empty: no competition named yet
    std::optional<Competition> competition;  ///< what the API said about it
    std::string fetched_on;                  ///< YYYY-MM-DD (UTC) of that answer
    std::string not_fetched;                 ///< why there is no answer (no credentials, offline, ...)
    std::string configured_deadline;         ///< config.json's values, shown when the API did not answer
    int configured_daily_submissions = 0;
};

/// Asks Kaggle for the competition (one search with one retry and short timeouts). Never
/// throws: a failure is told in `not_fetched`.
PlatformFacts fetch_platform_facts(std::string_view slug, std::string_view api_base = {});

std::string render_platform_reference(const PlatformFacts& facts);

/// For `autokaggle init`: writes DIR/KAGGLE_API.md. The competition is `known` when the caller
/// already asked Kaggle (--download), else it is asked for when a slug is known (`slug`, else
/// config.json's "competition"). Returns one line for the user.
std::string write_platform_reference(const std::filesystem::path& workspace, std::string_view slug,
                                     const std::optional<Competition>& known);

}  // namespace autokaggle::kaggle

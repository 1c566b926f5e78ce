// Where the running program's files are: the executable, and the read-only data that ships with
// it (competitions/, prompts/). Works the same from the build tree and from an install.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

namespace autokaggle {

/// The running executable (/proc/self/exe), absolute.
std::filesystem::path executable_path();

/// Folders that may hold the shipped data, in order: $AUTOKAGGLE_DATA_DIR, the install's
/// <prefix>/share/autokaggle (relative to the executable), then the source tree of the build
/// the executable belongs to (found through the build folder's CMakeCache.txt).
std::vector<std::filesystem::path> data_search_path();

/// The first `<folder>/<relative>` that exists among data_search_path(), or nullopt.
std::optional<std::filesystem::path> find_data(const std::filesystem::path& relative);

}  // namespace autokaggle

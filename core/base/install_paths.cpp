#include "base/install_paths.hpp"

#include <cstdlib>
#include <fstream>
#include <string>

#ifndef AUTOKAGGLE_DATA_SUBDIR
#define AUTOKAGGLE_DATA_SUBDIR "share/autokaggle"
#endif

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

/// The source folder recorded in a build folder's CMakeCache.txt, when `build` is one.
std::optional<fs::path> source_dir_of_build(const fs::path& build) {
    std::ifstream cache(build / "CMakeCache.txt");
    const std::string key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    for (std::string line; std::getline(cache, line);)
        if (line.rfind(key, 0) == 0) return fs::path(line.substr(key.size()));
    return std::nullopt;
}

}  // namespace

fs::path executable_path() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe;
}

std::vector<fs::path> data_search_path() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("AUTOKAGGLE_DATA_DIR"); env && *env) dirs.emplace_back(env);
    fs::path exe = executable_path();
    if (!exe.empty()) {
        fs::path prefix = exe.parent_path().parent_path();  // <prefix>/bin/autokaggle or build/bin/autokaggle
        dirs.push_back((prefix / AUTOKAGGLE_DATA_SUBDIR).lexically_normal());
        if (auto source = source_dir_of_build(prefix)) dirs.push_back(*source);
    }
    return dirs;
}

std::optional<fs::path> find_data(const fs::path& relative) {
    for (const auto& dir : data_search_path()) {
        std::error_code ec;
        if (fs::exists(dir / relative, ec)) return dir / relative;
    }
    return std::nullopt;
}

}  // namespace autokaggle

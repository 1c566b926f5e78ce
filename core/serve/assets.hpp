// The page's files (HTML, CSS, JavaScript, icon), compiled into the binary at build time from
// core/serve/assets/ (embed_assets.cmake): the dashboard needs no network and no install folder.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace autokaggle::serve {

struct Asset {
    std::string_view name;          ///< "dashboard.js"
    std::string_view content_type;  ///< from the file's extension
    std::string_view data;
};

/// The asset of that file name, or nullopt.
std::optional<Asset> find_asset(std::string_view name);

namespace detail {
struct EmbeddedFile {
    const char* name;
    const unsigned char* data;
    std::size_t size;
};
/// Defined in the generated serve_assets.cpp.
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;
}  // namespace detail

}  // namespace autokaggle::serve

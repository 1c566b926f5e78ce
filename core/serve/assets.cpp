#include "serve/assets.hpp"

#include <array>
#include <utility>

namespace autokaggle::serve {

namespace {
std::string_view content_type_of(std::string_view name) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 6> types{{
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json"},
    }};
    for (const auto& [ext, type] : types)
        if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return type;
    return "application/octet-stream";
}
}  // namespace

std::optional<Asset> find_asset(std::string_view name) {
    for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
        const auto& f = detail::kEmbeddedFiles[i];
        if (name != f.name) continue;
        return Asset{f.name, content_type_of(name), std::string_view(reinterpret_cast<const char*>(f.data), f.size)};
    }
    return std::nullopt;
}

}  // namespace autokaggle::serve

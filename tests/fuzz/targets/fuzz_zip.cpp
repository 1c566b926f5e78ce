// The Kaggle data zip (core/kaggle/zip.cpp): any bytes read or are refused with an Error; no
// entry names a place outside the destination, and no entry yields more bytes than it states.
#include "fuzz.hpp"

#include "kaggle/zip.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace autokaggle;
    std::istringstream archive(std::string(fuzz::text(data, size)));
    try {
        kaggle::ZipReader reader(archive, "fuzz.zip");
        for (std::size_t i = 0; i < reader.entries().size(); ++i) {
            const kaggle::ZipEntry& entry = reader.entries()[i];
            const std::string name = entry.name.string();
            fuzz::require(!entry.name.is_absolute() && name.rfind("..", 0) != 0, "entries stay inside the destination");
            std::uint64_t delivered = 0;
            try {
                reader.unpack(i, [&](const char*, std::size_t n) { delivered += n; });
            } catch (const Error&) {
            }
            fuzz::require(delivered <= entry.size, "an entry never yields more than its stated size");
        }
    } catch (const Error&) {
    }
    return 0;
}

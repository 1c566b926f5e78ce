// .npy files (core/metrics/npy.cpp), as experiment scripts write them: any bytes read or are
// refused with an Error; an array read writes and reads back to the same shape and bits.
#include "fuzz.hpp"

#include "metrics/npy.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace autokaggle;
    metrics::NpyArray array;
    try {
        array = metrics::parse_npy(fuzz::text(data, size), "fuzz.npy");
    } catch (const Error&) {
        return 0;
    }
    fuzz::require(array.data.size() == array.rows * array.cols, "the values fill the shape");
    const metrics::NpyArray again = metrics::parse_npy(metrics::encode_npy(array), "again.npy");
    fuzz::require(again.rows == array.rows && again.cols == array.cols && again.one_dimensional == array.one_dimensional,
                  "the shape survives writing");
    fuzz::require(again.data.empty() ||
                      std::memcmp(again.data.data(), array.data.data(), array.data.size() * sizeof(double)) == 0,
                  "the values survive writing bit for bit");
    return 0;
}

// results.tsv (core/orchestrator/results.cpp): any text reads or is refused with an Error; the
// table written from what was read reads back to the same table.
#include "fuzz.hpp"

#include "orchestrator/results.hpp"

#include <autokaggle/sdk/errors.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace autokaggle;
    std::string written;
    try {
        written = format_results(parse_results(fuzz::text(data, size), "results.tsv", [](const std::string&) {}).rows);
    } catch (const Error&) {
        return 0;
    }
    ResultsFile again;
    try {
        again = parse_results(written, "results.tsv", [](const std::string&) {});
    } catch (const Error&) {
        fuzz::require(false, "a written results.tsv reads back");
    }
    fuzz::require(!again.repaired, "a written results.tsv needs no repair");
    fuzz::require(format_results(again.rows) == written, "reading and writing results.tsv again changes nothing");
    return 0;
}

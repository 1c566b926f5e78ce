// LLM provider answers (plugins/llm-anthropic, plugins/llm-openai): any body gives a response
// or an Error (malformed, or an error reported in the body); token counts are never negative.
#include "fuzz.hpp"

#include "anthropic_answer.hpp"
#include "openai_answer.hpp"

#include <autokaggle/sdk/errors.hpp>

namespace {

void check(const autokaggle::ChatResponse& r) {
    const auto& u = r.usage;
    autokaggle::fuzz::require(u.input_tokens >= 0 && u.output_tokens >= 0 && u.cache_creation_input_tokens >= 0 &&
                                  u.cache_read_input_tokens >= 0,
                              "token counts are not negative");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = autokaggle::fuzz::text(data, size);
    try {
        check(autokaggle::anthropic::parse_answer(body));
    } catch (const autokaggle::Error&) {
    }
    try {
        check(autokaggle::openai::parse_answer(body));
    } catch (const autokaggle::Error&) {
    }
    return 0;
}

// Reading an Anthropic Messages API answer body (kept apart from the HTTP exchange so that it can
// be tested and fuzzed on bytes alone).
#pragma once

#include <autokaggle/sdk/llm.hpp>

#include <string_view>

namespace autokaggle::anthropic {

/// The assistant message (text blocks joined by newlines, tool_use blocks as ToolCalls), the
/// stop reason, model, id and token counts of an answer body; usage.usd is left to the caller,
/// which knows the prices. Throws http::MalformedAnswer saying what is missing.
ChatResponse parse_answer(std::string_view body);

}  // namespace autokaggle::anthropic

// Reading an OpenAI-compatible Chat Completions answer body (kept apart from the HTTP exchange
// so that it can be tested and fuzzed on bytes alone). Servers differ: tool arguments arrive as
// a JSON string, an object, an empty string or text that is not JSON; the ToolCall then carries
// what came, and the agent tells the model its call was malformed instead of crashing.
#pragma once

#include <autokaggle/sdk/llm.hpp>

#include <string_view>

namespace autokaggle::openai {

/// The first choice's message (content as text, tool calls with their arguments decoded when
/// they are JSON), the finish reason, model, id and token counts of an answer body (cached
/// prompt tokens counted as cache reads); usage.usd is left to the caller. Throws
/// http::ErrorAnswer when the body reports an error (HTTP 200 with {"error": ...}) and
/// http::MalformedAnswer saying what is missing.
ChatResponse parse_answer(std::string_view body);

}  // namespace autokaggle::openai

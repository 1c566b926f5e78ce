# Generates a C++ file holding every Python source of this plugin (cmake -P, called at build time
# so that editing a .py file rebuilds the plugin). Inputs: OUT, DIR (the folder of .py files).
set(body "// Generated from plugins/agent-autopilot/python/*.py; do not edit.\n#include <map>\n#include <string>\nnamespace autokaggle::autopilot {\nconst std::map<std::string, std::string>& python_sources() {\n    static const std::map<std::string, std::string> sources{\n")
file(GLOB SOURCES "${DIR}/*.py")
list(SORT SOURCES)
foreach(src IN LISTS SOURCES)
  get_filename_component(name "${src}" NAME)
  file(READ "${src}" text)
  string(APPEND body "        {\"${name}\", R\"AKPY(${text})AKPY\"},\n")
endforeach()
string(APPEND body "    };\n    return sources;\n}\n}  // namespace autokaggle::autopilot\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)

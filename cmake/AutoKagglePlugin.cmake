# autokaggle_add_plugin(<name> SOURCES ... [LIBS ...] [OUTPUT_DIR dir] [NO_INSTALL])
#
# Builds a plugin library named autokaggle-<name>.so (a MODULE: loaded, never linked) against
# AutoKaggle::sdk and AutoKaggle::support, with hidden visibility so that two plugins never clash;
# only the descriptor and factory AUTOKAGGLE_PLUGIN exports are visible. The same function serves
# the project's own plugins/ and an out-of-tree project that did find_package(AutoKaggle).
#
#   OUTPUT_DIR  where the library is built. Default: the project's plugin folder in this tree
#               (build/lib/autokaggle/plugins), ${CMAKE_BINARY_DIR}/plugins out of tree: point
#               config.json plugin_dirs or AUTOKAGGLE_PLUGIN_PATH at it.
#   NO_INSTALL  no install rule. Otherwise `cmake --install` puts it in
#               <prefix>/lib/autokaggle/plugins, where an autokaggle installed in the same prefix
#               finds it without configuration.
#   LIBS        more libraries to link privately.
function(autokaggle_add_plugin name)
  cmake_parse_arguments(P "NO_INSTALL" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  if(NOT P_SOURCES)
    message(FATAL_ERROR "autokaggle_add_plugin(${name}): no SOURCES given")
  endif()
  set(target "autokaggle-${name}")
  add_library(${target} MODULE ${P_SOURCES})
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME "${target}"
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
                        # installed next to lib/, whose libautokaggle-*.so it links
                        INSTALL_RPATH "$ORIGIN/../..")
  if(P_OUTPUT_DIR)
    set(output_dir "${P_OUTPUT_DIR}")
  elseif(AUTOKAGGLE_PLUGIN_OUTPUT_DIR)
    set(output_dir "${AUTOKAGGLE_PLUGIN_OUTPUT_DIR}")
  else()
    set(output_dir "${CMAKE_BINARY_DIR}/plugins")
  endif()
  set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${output_dir}")
  target_link_libraries(${target} PRIVATE AutoKaggle::sdk AutoKaggle::support ${P_LIBS})
  if(TARGET autokaggle_warnings)  # this project's own warning set
    target_link_libraries(${target} PRIVATE autokaggle_warnings)
  endif()
  if(NOT P_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${AUTOKAGGLE_PLUGIN_SUBDIR}")
    if(TARGET autokaggle_all_plugins)
      add_dependencies(autokaggle_all_plugins ${target})
    endif()
  endif()
endfunction()

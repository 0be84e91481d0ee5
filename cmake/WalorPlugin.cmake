# walor_add_plugin(<name>
#                  SOURCES <file.c>...
#                  [LIBS <target-or-lib>...]
#                  [OUTPUT_DIR <dir>]     # default: ${WALOR_PLUGIN_OUTPUT_DIR}
#                  [NO_INSTALL])          # implied by OUTPUT_DIR (test plugins)
#
# Builds <name>.so as a MODULE library the way walord expects to dlopen it:
#   - no "lib" prefix: build/lib/walor/plugins/<name>.so
#   - -fvisibility=hidden: the only exported symbol is walor_plugin_entry
#     (WALOR_PLUGIN_DEFINE marks it visible)
#   - -Wl,-z,defs: every symbol must resolve at link time, so a plugin cannot
#     depend on symbols from walord; it reaches the host only through the
#     walor_host_api table it is handed.
#   - compiled against sdk/include only, and jansson (json_t* is part of the ABI).
#   - in this source tree (WALOR_IN_TREE), with WALOR_WARN_DEPRECATED: a
#     deprecated SDK name (walor_edit, walor_user_id, …) is a warning, and
#     with -Werror a failed build, so none creeps back. An installed SDK
#     leaves that to the plugin's author.
# The CMake target is named walor-plugin-<name> so that plugin names never
# clash with other targets (a plugin called "orders" next to a test called
# "orders", say); OUTPUT_NAME is the plain <name>.
include_guard(GLOBAL)

function(walor_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 WP "NO_INSTALL" "OUTPUT_DIR" "SOURCES;LIBS")
  if(WP_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "walor_add_plugin(${name}): unknown arguments: ${WP_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT WP_SOURCES)
    message(FATAL_ERROR "walor_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT name MATCHES "^[a-z][a-z0-9_-]*$")
    message(FATAL_ERROR "walor_add_plugin(${name}): plugin names are lower case [a-z0-9_-]")
  endif()

  set(target walor-plugin-${name})
  add_library(${target} MODULE ${WP_SOURCES})
  target_link_libraries(${target} PRIVATE Walor::sdk ${WP_LIBS})
  if(WALOR_IN_TREE)
    target_compile_definitions(${target} PRIVATE WALOR_WARN_DEPRECATED)
  endif()

  if(WP_OUTPUT_DIR)
    set(outdir "${WP_OUTPUT_DIR}")
    set(WP_NO_INSTALL TRUE)
  else()
    set(outdir "${WALOR_PLUGIN_OUTPUT_DIR}")
  endif()

  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${name}"
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${outdir}"
    WALOR_PLUGIN_NAME "${name}")

  # -z defs: refuse undefined symbols. Clang links the sanitizer runtimes
  # statically into the executable only, so a sanitized clang module has
  # undefined __asan_* symbols by design; gcc uses the shared runtimes.
  if(NOT (WALOR_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang"))
    target_link_options(${target} PRIVATE "LINKER:-z,defs")
  endif()

  if(NOT WP_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${WALOR_INSTALL_PLUGINDIR}")
  endif()
endfunction()

# add_subdirectory() every <dir>/*/ that has a CMakeLists.txt, sorted.
# Used by plugins/ and tests/plugins/: dropping a folder in is enough.
function(walor_add_subdirs_with_cmakelists dir)
  file(GLOB children CONFIGURE_DEPENDS LIST_DIRECTORIES false
       RELATIVE "${dir}" "${dir}/*/CMakeLists.txt")
  list(SORT children)
  foreach(child IN LISTS children)
    get_filename_component(sub "${child}" DIRECTORY)
    add_subdirectory("${dir}/${sub}")
  endforeach()
endfunction()

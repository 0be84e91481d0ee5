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

# walor_add_plugin_pure(<name> SOURCES <file.c>... [LIBS <target-or-lib>...])
#
# The plugin's pure parts (parsers, arithmetic, renderers: no other plugin
# file needed) as the static library <name>_pure ('-' becomes '_'), which
# the plugin links (walor_add_plugin(... LIBS <name>_pure)) and so do its
# unit tests (tests/unit/plugins/<name>/, linked automatically) and fuzzers:
# one compiled copy of the code, no #include of .c files. Hidden visibility,
# so the module still exports only walor_plugin_entry; LIBS and the plugin's
# folder (for its headers) are passed on to whoever links it.
function(walor_add_plugin_pure name)
  cmake_parse_arguments(PARSE_ARGV 1 WP "" "" "SOURCES;LIBS")
  if(WP_UNPARSED_ARGUMENTS OR NOT WP_SOURCES)
    message(FATAL_ERROR "walor_add_plugin_pure(${name} SOURCES ... [LIBS ...])")
  endif()
  string(REPLACE "-" "_" target "${name}_pure")
  # pkg-config's imported targets are local to the plugin's folder; the
  # unit tests and fuzzers that link <name>_pure elsewhere need them too
  foreach(lib IN LISTS WP_LIBS)
    if(TARGET ${lib})
      get_target_property(imported ${lib} IMPORTED)
      get_target_property(global ${lib} IMPORTED_GLOBAL)
      if(imported AND NOT global)
        set_target_properties(${lib} PROPERTIES IMPORTED_GLOBAL TRUE)
      endif()
    endif()
  endforeach()
  add_library(${target} STATIC ${WP_SOURCES})
  target_link_libraries(${target} PUBLIC Walor::sdk ${WP_LIBS})
  target_include_directories(${target} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    POSITION_INDEPENDENT_CODE ON
    ARCHIVE_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/lib/plugin-pure")
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

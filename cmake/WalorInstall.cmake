# What `cmake --install` (make install, make package) puts outside the
# binaries: the configuration in <sysconfdir>/walor and the SDK's CMake
# helper and example. Included from the top CMakeLists.txt.
#
# The shipped walor.ini is conf.d/walor.ini with the installed paths: the
# repository keeps walor.ini and the plugins' files in one folder
# (conf_dir = .), an installation keeps them in <sysconfdir>/walor/conf.d.
include_guard(GLOBAL)

set(WALOR_INSTALL_CONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/walor")
set(WALOR_INSTALL_STATEDIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/walor")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(WALOR_INSTALL_STATEDIR "/var/lib/walor")   # GNUInstallDirs gives /usr/var otherwise
endif()

file(READ "${CMAKE_SOURCE_DIR}/conf.d/walor.ini" _ini)
string(REGEX REPLACE "\ndb = [^\n]*" "\ndb = ${WALOR_INSTALL_STATEDIR}/walor.db" _ini "${_ini}")
string(REGEX REPLACE "\nplugin_dir = [^\n]*"
       "\nplugin_dir = ${CMAKE_INSTALL_FULL_LIBDIR}/walor/plugins" _ini "${_ini}")
string(REGEX REPLACE "\n; this repository keeps walor.ini and the plugin files in one folder\nconf_dir = \\.\n"
       "\n; one NN-<plugin>.ini per plugin, read after this file in name order\nconf_dir = conf.d\n" _ini "${_ini}")
if(NOT _ini MATCHES "\nconf_dir = conf.d\n")
  message(FATAL_ERROR "cmake/WalorInstall.cmake: conf.d/walor.ini no longer has the conf_dir lines it rewrites")
endif()
file(WRITE "${CMAKE_BINARY_DIR}/install/walor.ini" "${_ini}")

install(FILES "${CMAKE_BINARY_DIR}/install/walor.ini" DESTINATION "${WALOR_INSTALL_CONFDIR}")
file(GLOB _conf_files "${CMAKE_SOURCE_DIR}/conf.d/[0-9]*.ini")
install(FILES ${_conf_files} DESTINATION "${WALOR_INSTALL_CONFDIR}/conf.d")
install(DIRECTORY "${CMAKE_SOURCE_DIR}/conf.d/texts" DESTINATION "${WALOR_INSTALL_CONFDIR}/conf.d")

# The SDK for plugins built out of tree (walor-plugin-dev / walor-devel):
#   find_package(walor-plugin REQUIRED)
#   walor_add_plugin(myplugin SOURCES myplugin.c)
configure_file("${CMAKE_SOURCE_DIR}/sdk/walor-plugin-config.cmake.in"
               "${CMAKE_BINARY_DIR}/install/walor-plugin-config.cmake" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/install/walor-plugin-config.cmake" "${CMAKE_SOURCE_DIR}/cmake/WalorPlugin.cmake"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/cmake/walor-plugin")
install(FILES "${CMAKE_SOURCE_DIR}/sdk/examples/hello/hello.c" "${CMAKE_SOURCE_DIR}/sdk/examples/hello/Makefile"
              "${CMAKE_SOURCE_DIR}/sdk/examples/hello/CMakeLists.txt"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/walor/sdk/examples/hello")

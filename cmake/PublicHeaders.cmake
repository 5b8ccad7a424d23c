# clinic_public_headers(<target> <folder> [HEADERS <file>...])
#
# Gives <target> an include root of its own, in the build tree, that holds only the headers of
# src/clinic/<folder> (all its *.hpp, or the HEADERS named), as links to the sources. A target sees
# a header only when it links the target that owns it, so an include across the dependency rule
# (a service including an adapter, the domain including a service) fails to compile instead of
# waiting for review. The headers keep their paths: #include "clinic/<folder>/<file>".
function(clinic_public_headers target folder)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "HEADERS")
  set(source_dir ${PROJECT_SOURCE_DIR}/src/clinic/${folder})
  if(arg_HEADERS)
    set(headers ${arg_HEADERS})
  else()
    file(GLOB headers CONFIGURE_DEPENDS RELATIVE ${source_dir} ${source_dir}/*.hpp)
  endif()
  set(root ${CMAKE_BINARY_DIR}/include/${target})
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root}/clinic/${folder})
  foreach(header IN LISTS headers)
    if(NOT EXISTS ${source_dir}/${header})
      message(FATAL_ERROR "clinic_public_headers(${target}): no ${folder}/${header}")
    endif()
    file(CREATE_LINK ${source_dir}/${header} ${root}/clinic/${folder}/${header} SYMBOLIC)
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()

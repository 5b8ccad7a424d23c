# clinic_embed_files(<target> NAMESPACE <ns> FILES <file>...)
# Compiles the files into <target> as a table of {name, contents} string_views, so the binaries
# carry their migrations and API contract and need no files beside them at run time.
# The generated header is <target>.hpp: `std::span<const EmbeddedFile> <ns>::Files()`.
function(clinic_embed_files target)
  cmake_parse_arguments(ARG "" "NAMESPACE;BASE_DIR" "FILES" ${ARGN})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embedded)
  set(hpp ${out_dir}/${target}.hpp)
  set(cpp ${out_dir}/${target}.cpp)
  # A list cannot cross the command line intact (";" splits arguments), so pass it "|"-joined.
  string(JOIN "|" files_arg ${ARG_FILES})
  add_custom_command(
    OUTPUT ${hpp} ${cpp}
    COMMAND ${CMAKE_COMMAND} -DOUT_HPP=${hpp} -DOUT_CPP=${cpp} -DNAMESPACE=${ARG_NAMESPACE}
            -DBASE_DIR=${ARG_BASE_DIR} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding files into ${target}"
    VERBATIM)
  add_library(${target} STATIC ${cpp})
  target_include_directories(${target} PUBLIC ${out_dir})
endfunction()

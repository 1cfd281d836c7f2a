# Helper functions for the smx build. Adding a command touches tools/<cmd>.cpp, SMX_COMMANDS,
# man/smx-<cmd>.1.md and tests/cli/<cmd>/; configuration fails when one of them is missing.

function(smx_check_commands commands)
  foreach(cmd IN LISTS commands)
    foreach(required tools/${cmd}.cpp man/smx-${cmd}.1.md tests/cli/${cmd})
      if(NOT EXISTS ${CMAKE_SOURCE_DIR}/${required})
        message(FATAL_ERROR "command '${cmd}' is in SMX_COMMANDS but ${required} is missing")
      endif()
    endforeach()
  endforeach()
endfunction()

# Writes an include file with one SMX_COMMAND(name) line per command; tools/main.cpp expands it.
function(smx_generate_command_table commands out)
  set(text "// generated from SMX_COMMANDS by CMake\n")
  foreach(cmd IN LISTS commands)
    string(APPEND text "SMX_COMMAND(${cmd})\n")
  endforeach()
  file(GENERATE OUTPUT ${out} CONTENT "${text}")
endfunction()

# Renders man/*.md into roff with pandoc and installs them.
function(smx_add_man_pages commands)
  find_program(PANDOC pandoc)
  if(NOT PANDOC)
    message(WARNING "pandoc not found: man pages will not be built")
    return()
  endif()
  file(GLOB pages CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.md)
  set(outputs)
  foreach(page IN LISTS pages)
    get_filename_component(name ${page} NAME_WLE)           # smx-cat.1
    string(REGEX MATCH "[0-9]$" section ${name})
    set(out ${CMAKE_BINARY_DIR}/man/${name})
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${PANDOC} --standalone --from markdown-smart --to man ${page} -o ${out}
      DEPENDS ${page} VERBATIM)
    list(APPEND outputs ${out})
    install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man ALL DEPENDS ${outputs})
endfunction()

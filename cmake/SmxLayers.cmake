# The library's layers as build targets. smx_layer(NAME USES ... PACKAGES ... HEADERS ...) makes
# the static library smx_NAME (alias smx::NAME) from lib/src/NAME/*.cpp, linked to the layers it
# USES and nothing else, and records the layer for the layering check (cmake/check_layers.py, the
# ctest `layers.arrows`): every #include of lib/src/NAME/ and of the public headers the layer owns
# (HEADERS, in lib/include/smx/) must name the layer itself or one it USES, and every smx symbol
# the archive leaves undefined must be defined by a layer it reaches through USES.
# Layers are declared bottom-up: a layer may only use layers declared before it.

set(SMX_LAYER_TABLE "")  # one line per layer: name|uses,...|headers,...|archive
set(SMX_LAYER_NAMES "")  # in declaration order

function(smx_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "USES;PACKAGES;HEADERS")
  foreach(used IN LISTS arg_USES)
    if(NOT TARGET smx_${used})
      message(FATAL_ERROR "layer ${name} uses ${used}, which is not declared before it")
    endif()
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lib/src/${name}/*.cpp)
  add_library(smx_${name} STATIC ${sources})
  add_library(smx::${name} ALIAS smx_${name})
  target_include_directories(smx_${name} PUBLIC ${PROJECT_SOURCE_DIR}/lib/include
                                         PRIVATE ${PROJECT_SOURCE_DIR}/lib/src)
  set(used_targets)
  foreach(used IN LISTS arg_USES)
    list(APPEND used_targets smx::${used})
  endforeach()
  # smx_warnings is PRIVATE: the flags are the library's own business, not its users'.
  target_link_libraries(smx_${name} PUBLIC ${used_targets} PRIVATE smx_warnings ${arg_PACKAGES})
  list(JOIN arg_USES "," uses_text)
  list(JOIN arg_HEADERS "," headers_text)
  set(SMX_LAYER_TABLE "${SMX_LAYER_TABLE}${name}|${uses_text}|${headers_text}|$<TARGET_FILE:smx_${name}>\n"
      PARENT_SCOPE)
  set(SMX_LAYER_NAMES ${SMX_LAYER_NAMES} ${name} PARENT_SCOPE)
endfunction()

# Writes the table for cmake/check_layers.py and adds the ctest that runs it. smx::core is the
# INTERFACE umbrella of every layer for the tools and tests.
function(smx_finish_layers)
  file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/smx_layers.txt CONTENT "${SMX_LAYER_TABLE}")
  set(targets)
  foreach(layer IN LISTS SMX_LAYER_NAMES)
    list(APPEND targets smx::${layer})
  endforeach()
  add_library(smx_core INTERFACE)
  add_library(smx::core ALIAS smx_core)
  target_link_libraries(smx_core INTERFACE ${targets})
endfunction()

cmake_minimum_required(VERSION 3.20)  # new policies: no @VAR@ expansion in quoted arguments
# An unknown option must exit 2 with empty stdout and a message on stderr.
execute_process(COMMAND ${SMX} ${CMD} --no-such-option-xyz
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 2 OR NOT out STREQUAL "" OR err STREQUAL "")
  message(FATAL_ERROR "smx ${CMD} --no-such-option-xyz: exit ${rc}, stdout '${out}', stderr '${err}'")
endif()

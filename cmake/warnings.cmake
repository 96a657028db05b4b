# Compiler flags shared by every target of the project.
add_library(ft_flags INTERFACE)
target_compile_options(ft_flags INTERFACE
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wformat=2 -Wvla -Wcast-qual -Wpointer-arith>)
target_compile_definitions(ft_flags INTERFACE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
if(FACETRACK_WERROR)
  target_compile_options(ft_flags INTERFACE $<$<COMPILE_LANGUAGE:C>:-Werror>)
endif()
if(FACETRACK_SANITIZE)
  set(_ft_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(ft_flags INTERFACE $<$<COMPILE_LANGUAGE:C>:${_ft_san}>)
  target_link_options(ft_flags INTERFACE ${_ft_san})
endif()

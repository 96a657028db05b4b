# libav* linked statically from FACETRACK_FFMPEG_PREFIX, as the target
# PkgConfig::LIBAV that a shared-library build gets from pkg-config: the
# rest of the build does not tell them apart. Only that prefix is searched,
# so the system's libav* can never slip in.

# pkg_check_modules keeps its answer for as long as the modules asked for
# are the same: another prefix must ask again.
if(NOT "${FACETRACK_FFMPEG_PREFIX}" STREQUAL "${_FT_LIBAV_CHECKED_PREFIX}")
  unset(__pkg_config_checked_LIBAV CACHE)
  set(_FT_LIBAV_CHECKED_PREFIX "${FACETRACK_FFMPEG_PREFIX}" CACHE INTERNAL "")
endif()
foreach(_ft_var PKG_CONFIG_LIBDIR PKG_CONFIG_PATH)
  set(_ft_had_${_ft_var} OFF)
  if(DEFINED ENV{${_ft_var}})
    set(_ft_had_${_ft_var} ON)
    set(_ft_saved_${_ft_var} "$ENV{${_ft_var}}")
  endif()
endforeach()
set(ENV{PKG_CONFIG_LIBDIR} "${FACETRACK_FFMPEG_PREFIX}/lib/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})
pkg_check_modules(LIBAV REQUIRED ${_ft_libav_modules})
foreach(_ft_var PKG_CONFIG_LIBDIR PKG_CONFIG_PATH)
  if(_ft_had_${_ft_var})
    set(ENV{${_ft_var}} "${_ft_saved_${_ft_var}}")
  else()
    unset(ENV{${_ft_var}})
  endif()
endforeach()

# The flags of `pkg-config --static`, in their order (archives before the
# system libraries they call), as link items rather than link options, so
# that they come after the objects that need them.
add_library(PkgConfig::LIBAV INTERFACE IMPORTED)
set_target_properties(PkgConfig::LIBAV PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${LIBAV_STATIC_INCLUDE_DIRS}"
  INTERFACE_COMPILE_OPTIONS "${LIBAV_STATIC_CFLAGS_OTHER}"
  INTERFACE_LINK_LIBRARIES "${LIBAV_STATIC_LDFLAGS}")
# facetrack.pc names what linking libfacetrack.a needs: here the archives.
set(LIBAV_LDFLAGS ${LIBAV_STATIC_LDFLAGS})
message(STATUS "libav* ${LIBAV_libavcodec_VERSION}: static, from ${FACETRACK_FFMPEG_PREFIX}")

# The order of ferry's shared libraries, for a faster start (issue 19, the Chromium decode
# rate: a start was a third of an export of the 3.9 MB large fixture).
#
# Most of a start is the dynamic loader's symbol lookups (19 M of the 25 M instructions of
# `ferry --version`): a library resolves even its own symbols through the global scope, in
# DT_NEEDED order, and the libraries that come with libpq sit at its end, so each of
# libcrypto's 3,400 lookups (`LD_DEBUG=bindings`) first passes some twenty libraries. Naming
# the libraries with the most lookups first shortens those walks: 25 M -> 18.6 M instructions,
# about 1.2 ms of CPU a start. No two of them define the same symbol, so what each name binds
# to is unchanged; a library not found under that name is left where it was.
#
# Off under the sanitizers, whose runtime must come first, and with -DFERRY_LINK_ORDER=OFF.
option(FERRY_LINK_ORDER "List the shared libraries with the most symbol lookups first" ON)

function(ferry_link_order target)
  if(NOT FERRY_LINK_ORDER OR FERRY_SANITIZE OR NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    return()
  endif()
  set(first)
  set(sonames libcrypto.so.3 libstdc++.so.6 libsqlite3.so.0 libspdlog.so.1.10 libgnutls.so.30
              libssl.so.3 libldap-2.5.so.0 libunistring.so.2 libnettle.so.8 libm.so.6 libc.so.6)
  if(FERRY_PG_MODULE)
    # Those come with libpq, which the binary no longer links: naming them would load them.
    list(REMOVE_ITEM sonames libcrypto.so.3 libgnutls.so.30 libssl.so.3 libldap-2.5.so.0
         libunistring.so.2 libnettle.so.8)
  endif()
  foreach(soname IN LISTS sonames)
    string(MAKE_C_IDENTIFIER "FERRY_FIRST_${soname}" var)
    find_library(${var} NAMES ${soname})
    if(${var})
      list(APPEND first ${${var}})
    endif()
  endforeach()
  if(first)
    # Link options come before the objects and libraries on the link line, so these are the
    # first DT_NEEDED entries; --no-as-needed keeps each even before anything refers to it.
    target_link_options(${target} PRIVATE "LINKER:--push-state,--no-as-needed" ${first}
                        "LINKER:--pop-state")
  endif()
endfunction()

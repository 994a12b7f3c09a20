# ferry_read_costs(FILE REGEX NAMES_VAR): reads tests/sanitizer_costs.txt's "NAME SECONDS" lines
# whose NAME matches REGEX; sets cost_of_<NAME> to the seconds and NAMES_VAR to the names, in
# the caller's scope. Used at configure time (tests/CMakeLists.txt) and in script mode
# (file_tests.cmake), so the two read the file one way.
macro(ferry_read_costs file name_regex names_var)
  set(${names_var} "")
  file(STRINGS "${file}" ferry_cost_lines REGEX "^${name_regex} +[0-9.]+ *$")
  foreach(ferry_cost_line IN LISTS ferry_cost_lines)
    string(REGEX REPLACE " +" ";" ferry_cost_pair "${ferry_cost_line}")
    list(GET ferry_cost_pair 0 ferry_cost_name)
    list(GET ferry_cost_pair 1 ferry_cost_seconds)
    set("cost_of_${ferry_cost_name}" "${ferry_cost_seconds}")
    list(APPEND ${names_var} "${ferry_cost_name}")
  endforeach()
endmacro()

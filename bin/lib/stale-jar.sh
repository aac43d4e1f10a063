# Sourced by bin/ferrite. Decides whether a runnable jar must be rebuilt from the sources.

# Prints the first file under the module folders given (relative to root) that is newer than
# jar -- a Java source, a resource or a pom -- or nothing when the jar is up to date. A missing jar
# prints the jar itself. Always exits 0.
#   ferrite_stale_source ROOT JAR MODULE...
ferrite_stale_source() {
  local root=$1 jar=$2
  shift 2
  if [ ! -f "$jar" ]; then
    echo "$jar"
    return 0
  fi
  local -a paths=()
  local module path
  for path in "$root/pom.xml"; do
    [ -e "$path" ] && paths+=("$path")
  done
  for module in "$@"; do
    for path in "$root/$module/pom.xml" "$root/$module/src/main"; do
      [ -e "$path" ] && paths+=("$path")
    done
  done
  [ ${#paths[@]} -eq 0 ] && return 0
  find "${paths[@]}" -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
    -print -quit 2>/dev/null || true
}

# Sourced by bin/ferrite and bin/test. Finds a JDK >= 25 and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME when it is >= 25, then /usr/lib/jvm/*, then `java` on PATH.
# On failure prints what to install or set, and exits 2.

ferrite_required_java=25

# Prints the feature release (e.g. 25) of the java binary given, or nothing.
ferrite_java_feature() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

ferrite_find_java() {
  local candidate feature
  local -a candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] && candidates+=("$candidate")
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(command -v java)")
  fi
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    feature=$(ferrite_java_feature "$candidate")
    if [ -n "$feature" ] && [ "$feature" -ge "$ferrite_required_java" ]; then
      JAVA="$candidate"
      JAVA_HOME=$(cd "$(dirname "$candidate")/.." && pwd)
      export JAVA JAVA_HOME
      return 0
    fi
  done
  {
    echo "ferrite: no JDK ${ferrite_required_java} or newer found."
    echo "  looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, and java on PATH."
    echo "  fix: install a JDK ${ferrite_required_java}+ (e.g. Temurin 25) under /usr/lib/jvm,"
    echo "       or set JAVA_HOME to a JDK ${ferrite_required_java}+ and retry."
  } >&2
  exit 2
}

# shellcheck shell=bash
# Sourced by bin/ferrite. Prints -XX:AOTCache=CACHE when CACHE (written by `bin/ferrite aot`, a
# JDK 25 AOT cache: the classes the training run loaded and linked, and its method profiles) is
# newer than JAR, the jar it was trained on; prints nothing otherwise, so a rebuilt jar never runs
# with a cache of another build.
#   ferrite_aot_flags CACHE JAR
ferrite_aot_flags() {
  local cache=$1 jar=$2
  if [ -f "$cache" ] && [ -f "$jar" ] && [ "$cache" -nt "$jar" ]; then
    echo "-XX:AOTCache=$cache"
  fi
}

# Sourced by the benchmark scripts (from the repository root): packages the benchmarks and the modules they use, and
# sets CP to their classpath. Package only, never install: ~/.m2 is shared with other checkouts, and an installed
# snapshot would shadow this one's sources. Each module's classpath comes from the same reactor (a relative
# outputFile is per module, so benchmarks/target/classpath.txt is the benchmarks' own). SKIP_BUILD=1 reuses the last
# build; MVN_ARGS adds Maven options (-o offline).
if [ -z "${SKIP_BUILD:-}" ]; then
  # shellcheck disable=SC2086
  mvn -B -q -ntp -Dstyle.color=never ${MVN_ARGS:-} package dependency:build-classpath -DskipTests -pl benchmarks -am \
    -Dmdep.outputFile=target/classpath.txt >/dev/null
fi
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"

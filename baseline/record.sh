#!/usr/bin/env bash
# Records the API that `mvn verify` baselines against (README "Semantic versions"): builds every module that exports a
# package (a package-info.java with @Export) from the current tree and stores its jar, reduced to the manifest and the
# class files, as version ${kindling.baseline.version} (pom.xml) in the file repository baseline/repository.
# Run it from anywhere after an intended API change has got its package version bumps, then commit baseline/:
#   baseline/record.sh                 (extra Maven flags through MVN_ARGS, e.g. MVN_ARGS=-o)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version="$(sed -n 's:.*<kindling.baseline.version>\(.*\)</kindling.baseline.version>.*:\1:p' pom.xml | head -1)"
repo="$root/baseline/repository"
# Maven copies resolved release artifacts into the local repository and never looks again: drop the old recording there.
local_repo="${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}"

mapfile -t modules < <(grep -rl --include=package-info.java -e '^@org.osgi.annotation.bundle.Export' -e '^@Export' \
    --exclude-dir=target --exclude-dir=baseline . | grep '/src/main/java/' | sed 's:^\./::; s:/src/main/java/.*::' | sort -u)
[ "${#modules[@]}" -gt 0 ] || { echo "no module exports a package" >&2; exit 1; }
echo "exporting modules: ${modules[*]}"

# shellcheck disable=SC2086
mvn -B -ntp ${MVN_ARGS:-} package -DskipTests -Dbnd.baseline.skip=true -pl "$(IFS=,; echo "${modules[*]}")" -am

rm -rf "$repo"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for m in "${modules[@]}"; do
  aid="$(awk '/<\/parent>/ {p = 1} p && /<artifactId>/ {gsub(/.*<artifactId>|<\/artifactId>.*/, ""); print; exit}' "$m/pom.xml")"
  jar="$(ls "$m"/target/"$aid"-*.jar | grep -v -e '-sources.jar$' -e '-tests.jar$' -e '-javadoc.jar$' | head -1)"
  rm -rf "$tmp/x" && mkdir -p "$tmp/x" && (cd "$tmp/x" && jar xf "$root/$jar")
  # Baselining reads the manifest (Export-Package and its versions) and the classes; resources only make the file big.
  find "$tmp/x" -type f ! -name '*.class' ! -path "$tmp/x/META-INF/MANIFEST.MF" -delete
  out="$repo/dev/kindling/$aid/$version/$aid-$version.jar"
  mkdir -p "$(dirname "$out")"
  # A fixed date and sorted entries: recording an unchanged tree again gives the same bytes.
  (cd "$tmp/x" && find . -type f ! -path ./META-INF/MANIFEST.MF | LC_ALL=C sort | sed 's:^\./::' > "$tmp/list" \
    && jar --create --date=2000-01-01T00:00:00Z --file "$out" --manifest META-INF/MANIFEST.MF @"$tmp/list")
  rm -rf "${local_repo:?}/dev/kindling/$aid/$version"
  echo "recorded $out ($(stat -c %s "$out") bytes)"
done

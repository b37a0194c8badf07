#!/usr/bin/env bash
# Installs fsmon into the local Maven repository, builds examples/first-watch against it (as a project that
# depends on io.github.fsmon:fsmon would), and runs it on the class path and on the module path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
example="$root/examples/first-watch"
version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$root/pom.xml" | head -1)
"$root/mvnw" -q install -DskipTests
repo=$("$root/mvnw" -q org.apache.maven.plugins:maven-help-plugin:3.5.1:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || true)
repo=${repo:-$HOME/.m2/repository}
for kind in .jar -sources.jar -javadoc.jar .pom; do
  f="$repo/io/github/fsmon/fsmon/$version/fsmon-$version$kind"
  [ -s "$f" ] || { echo "examples: $f was not installed" >&2; exit 1; }
done
"$root/mvnw" -q -f "$example/pom.xml" -Dfsmon.version="$version" package \
  dependency:copy-dependencies -DoutputDirectory="$example/target/lib"
java="$("$root/bin/find-jdk" 22)/bin/java"
jar=$(ls "$example"/target/lib/fsmon-*.jar)
echo "examples: class path"
"$java" --enable-native-access=ALL-UNNAMED -cp "$example/target/classes:$jar" example.FirstWatch
echo "examples: module path"
"$java" --enable-native-access=io.github.fsmon -p "$example/target/classes:$jar" \
  -m example.firstwatch/example.FirstWatch

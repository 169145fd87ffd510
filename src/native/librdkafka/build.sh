#!/usr/bin/env bash
# Builds librdkafka 2.15.1 from source and packs it as the NuGet package librdkafka.redist 2.15.1
# into src/native/librdkafka/feed/, the folder feed nuget.config maps that package id to.
#
# Why: Confluent.Kafka 2.15.1 depends on librdkafka.redist 2.15.1, which the NuGet registry copy we
# build against lacks, and Debian 12's librdkafka1 (2.0.2) is too old for Confluent.Kafka 2.x.
# The npm package @confluentinc/kafka-javascript ships the matching librdkafka source.
#
# Idempotent and cached: the npm tarball is kept in .cache/librdkafka/ (checked against a pinned
# SHA-256), the compiled tree in src/native/librdkafka/build/; a second run with the package present
# only checks NuGet's global package cache. Concurrent runs are serialised with a lock.
#
# Needs (Debian): build-essential pkg-config python3 libssl-dev zlib1g-dev libzstd-dev
# libcurl4-openssl-dev and npm (nodejs), installed through tests/ensure-apt.sh when missing, plus the
# .NET SDK.
#
# Usage: build.sh [--force]    --force rebuilds from the cached source and repacks.
set -euo pipefail

readonly LIBRDKAFKA_VERSION=2.15.1
readonly LIBRDKAFKA_VERSION_HEX=0x020f01ff
readonly NPM_PACKAGE=@confluentinc/kafka-javascript
readonly NPM_VERSION=1.10.1
readonly NPM_TARBALL=confluentinc-kafka-javascript-${NPM_VERSION}.tgz
readonly NPM_SHA256=ada7d703bb1d3237e2292bfabf438d663b6160c9f1ac2a2406b5dc4257c81b66

# A lean, reliable build:
# - ssl, zlib, zstd, curl are required (--enable-*): configure's default "try" would silently build
#   a library without TLS or zstd when a -dev package is missing; we want a failure instead.
#   curl serves sasl.oauthbearer.method=oidc, as in the official librdkafka.redist.
# - GSSAPI (Cyrus SASL/Kerberos) is disabled: it needs libsasl2 and a Kerberos setup at runtime and
#   is rarely used with a gateway. PLAIN, SCRAM and OAUTHBEARER stay available (built in).
# - lz4 uses librdkafka's bundled copy (same 1.9.4 as Debian 12): one runtime dependency fewer.
# - --no-download: mklove must not try to fetch modules from GitHub.
readonly CONFIGURE_FLAGS=(--no-download --disable-gssapi --disable-lz4-ext --enable-ssl --enable-zlib
    --enable-zstd --enable-curl --disable-valgrind --disable-devel)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/.cache/librdkafka"
build="$here/build"
feed="$here/feed"
package_file="$feed/librdkafka.redist.${LIBRDKAFKA_VERSION}.nupkg"
source_dir="$build/librdkafka-${LIBRDKAFKA_VERSION}"
stage="$build/stage"

force=n
for arg in "$@"; do
    case "$arg" in
        --force) force=y ;;
        -h|--help) sed -n "2,18p" "$0"; exit 0 ;;
        *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

log() { printf '[librdkafka] %s\n' "$*"; }
die() { printf '[librdkafka] error: %s\n' "$*" >&2; exit 1; }

# The runtime identifier the .NET host looks up native assets under.
case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) arch=x64 ;;
    Linux/aarch64 | Linux/arm64) arch=arm64 ;;
    *) die "unsupported platform $(uname -s)/$(uname -m): only Linux x64 and arm64 are built here" ;;
esac
if ldd --version 2>&1 | grep -qi musl; then rid="linux-musl-$arch"; else rid="linux-$arch"; fi
native_file="$stage/runtimes/$rid/native/librdkafka.so"

mkdir -p "$cache" "$build" "$feed"
# Serialise concurrent runs (several builds of one checkout may call `make native` at once).
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then
    flock 9
fi

# NuGet extracts a package once into its global package folder and then prefers that copy to any
# source. A librdkafka.redist 2.15.1 extracted earlier (an older build of ours, or the official
# package restored elsewhere) would shadow the one in our feed, so remove it unless it holds the
# very same library.
evict_stale_global_copy() {
    local global extracted
    global="$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n "s/^global-packages: //p" || true)"
    global="${global:-${NUGET_PACKAGES:-$HOME/.nuget/packages}}"
    extracted="${global%/}/librdkafka.redist/$LIBRDKAFKA_VERSION"
    [ -d "$extracted" ] && command -v python3 >/dev/null || return 0
    if python3 - "$package_file" "runtimes/$rid/native/librdkafka.so" "$extracted" <<'PY'
import os, sys, zipfile
package, member, extracted = sys.argv[1:]
try:
    with open(os.path.join(extracted, member), "rb") as f:
        same = f.read() == zipfile.ZipFile(package).read(member)
except (OSError, KeyError):
    same = False
sys.exit(0 if same else 1)
PY
    then
        return 0
    fi
    log "removing stale $extracted from NuGet's global package folder (not our build)"
    rm -rf "$extracted"
}

if [ -f "$package_file" ] && [ "$force" = n ]; then
    log "$(basename "$package_file") is up to date"
    evict_stale_global_copy
    exit 0
fi

# What the build needs, with the Debian package providing it when it is missing. Checked by command
# and pkg-config module rather than by package name: Node.js from NodeSource bundles npm, so the
# Debian npm package is absent (and conflicts) although npm works.
missing_packages=()
need_command() { command -v "$1" >/dev/null || missing_packages+=("${@:2}"); }
need_command cc build-essential
need_command make build-essential
need_command python3 python3
need_command npm nodejs npm
need_command pkg-config pkg-config
for module in openssl:libssl-dev zlib:zlib1g-dev libzstd:libzstd-dev libcurl:libcurl4-openssl-dev; do
    if ! command -v pkg-config >/dev/null || ! pkg-config --exists "${module%%:*}"; then
        missing_packages+=("${module#*:}")
    fi
done
if [ ${#missing_packages[@]} -gt 0 ]; then
    # On Debian and Ubuntu, install them (tests/ensure-apt.sh, as the Makefile's apt-build does), so
    # the script also works on its own on a fresh machine.
    if [ -x "$root/tests/ensure-apt.sh" ] && command -v apt-get >/dev/null; then
        "$root/tests/ensure-apt.sh" $(printf '%s\n' "${missing_packages[@]}" | sort -u)
    else
        die "missing build dependencies; install the packages: ${missing_packages[*]}"
    fi
fi
command -v dotnet >/dev/null || die "dotnet not found: the .NET SDK is required to pack the library"

started=$SECONDS

# 1. The source: the npm tarball, fetched without installing, checked against the pinned hash.
tarball="$cache/$NPM_TARBALL"
if [ ! -f "$tarball" ] || ! echo "$NPM_SHA256  $tarball" | sha256sum --check --status; then
    log "fetching $NPM_PACKAGE@$NPM_VERSION (librdkafka $LIBRDKAFKA_VERSION source)"
    download="$(mktemp -d "$cache/download.XXXXXX")"
    (cd "$download" && npm pack "$NPM_PACKAGE@$NPM_VERSION" --silent --no-audit --no-fund >/dev/null)
    echo "$NPM_SHA256  $download/$NPM_TARBALL" | sha256sum --check --status \
        || die "SHA-256 of the downloaded $NPM_TARBALL does not match the pinned $NPM_SHA256"
    mv -f "$download/$NPM_TARBALL" "$tarball"
    rm -rf "$download"
fi

# 2. Configure and compile, unless the same source was built with the same flags already.
stamp="$source_dir/.kkb-build-stamp"
want_stamp="$NPM_SHA256 ${CONFIGURE_FLAGS[*]}"
if [ "$force" = y ] || [ ! -f "$source_dir/src/librdkafka.so.1" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ]; then
    rm -rf "$source_dir" "$build/extract"
    mkdir -p "$build/extract"
    tar -xzf "$tarball" -C "$build/extract" package/deps/librdkafka
    mv "$build/extract/package/deps/librdkafka" "$source_dir"
    rm -rf "$build/extract"
    grep -q "^#define RD_KAFKA_VERSION ${LIBRDKAFKA_VERSION_HEX}\$" "$source_dir/src/rdkafka.h" \
        || die "the source in $NPM_TARBALL is not librdkafka $LIBRDKAFKA_VERSION"

    jobs="$(nproc 2>/dev/null || echo 2)"
    log "configuring: ${CONFIGURE_FLAGS[*]}"
    (cd "$source_dir" && ./configure "${CONFIGURE_FLAGS[@]}" >"$build/configure.log" 2>&1) \
        || { tail -n 40 "$build/configure.log" >&2; die "configure failed (full log: $build/configure.log)"; }
    log "compiling with $jobs jobs (about a minute on 2 cores)"
    # Only the shared C library: the C++ wrapper, static archives and examples are not needed.
    (cd "$source_dir" && make -j"$jobs" -C src librdkafka.so.1 >"$build/make.log" 2>&1) \
        || { tail -n 40 "$build/make.log" >&2; die "make failed (full log: $build/make.log)"; }
    echo "$want_stamp" >"$stamp"
fi

# 3. Check the library before packing it: every dependency resolves, it is the right version, and
#    it exports the mock cluster API the tests and the kafka-mock storage mode use.
library="$source_dir/src/librdkafka.so.1"
if ldd "$library" | grep -q "not found"; then
    ldd "$library" >&2
    die "librdkafka.so.1 has unresolved dependencies"
fi
loaded_version="$(python3 -c 'import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.rd_kafka_version_str.restype = ctypes.c_char_p
lib.rd_kafka_mock_cluster_new  # raises AttributeError when the mock cluster is missing
print(lib.rd_kafka_version_str().decode())' "$library")" || die "cannot load $library"
[ "$loaded_version" = "$LIBRDKAFKA_VERSION" ] || die "built library reports $loaded_version, want $LIBRDKAFKA_VERSION"

# 4. Stage and pack. The packaging project lives in a temporary folder outside the repository so the
#    repository's Directory.Build.props and nuget.config do not apply to it.
rm -rf "$stage"
mkdir -p "$(dirname "$native_file")"
# Debug sections are 3/4 of the file; every build output carries a copy, so leave them out.
strip --strip-debug -o "$native_file" "$library"
cp "$source_dir/LICENSES.txt" "$stage/LICENSES.txt"
cp "$here/librdkafka.redist.nuspec" "$stage/librdkafka.redist.nuspec"

pack_dir="$(mktemp -d "${TMPDIR:-/tmp}/librdkafka-pack.XXXXXX")"
trap 'rm -rf "$pack_dir"' EXIT
cat >"$pack_dir/librdkafka.redist.pack.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <IsPackable>true</IsPackable>
    <IncludeBuildOutput>false</IncludeBuildOutput>
    <NoBuild>true</NoBuild>
    <NoWarn>$(NoWarn);NU5100;NU5128</NoWarn>
    <DisableImplicitFrameworkReferences>true</DisableImplicitFrameworkReferences>
  </PropertyGroup>
</Project>
EOF
echo '<configuration><packageSources><clear /></packageSources></configuration>' >"$pack_dir/nuget.config"
flags_text="${CONFIGURE_FLAGS[*]}"
log "packing librdkafka.redist $LIBRDKAFKA_VERSION ($rid)"
dotnet restore "$pack_dir/librdkafka.redist.pack.csproj" --configfile "$pack_dir/nuget.config" \
    -v quiet -nologo >"$build/pack.log" 2>&1 \
    || { cat "$build/pack.log" >&2; die "restore of the packaging project failed"; }
dotnet pack "$pack_dir/librdkafka.redist.pack.csproj" --no-restore -nologo -v quiet \
    -o "$pack_dir/out" \
    -p:NuspecFile="$stage/librdkafka.redist.nuspec" \
    -p:NuspecBasePath="$stage" \
    "-p:NuspecProperties=\"version=$LIBRDKAFKA_VERSION;rid=$rid;npmVersion=$NPM_VERSION;configureFlags=$flags_text\"" \
    >>"$build/pack.log" 2>&1 \
    || { cat "$build/pack.log" >&2; die "dotnet pack failed"; }
[ -f "$pack_dir/out/$(basename "$package_file")" ] || die "dotnet pack did not produce $(basename "$package_file")"
# Atomic replace, so a concurrent restore never sees half a package.
mv -f "$pack_dir/out/$(basename "$package_file")" "$package_file.tmp"
mv -f "$package_file.tmp" "$package_file"

evict_stale_global_copy
log "built $package_file in $((SECONDS - started)) s"

#!/usr/bin/env bash
# Builds the Warrant container image on a Debian machine without a container engine or registry:
# the static release binary and the Debian packages git, openssh-client, gpg, ca-certificates and
# dash (with their shared libraries) are unpacked into a root file system, which buildah commits
# FROM scratch (Containerfile: ADD only, nothing runs) and exports as an OCI archive.
#
#   Scripts/build-image.sh [--binary FILE] [--output FILE] [--work DIR] [--keep-rootfs]
#
#   --binary FILE  use this warrant (a release build with --static-swift-stdlib) instead of
#                  building one with: swift build -c release --static-swift-stdlib --product warrant
#                  --scratch-path .build-static, every function in a section of its own, linked
#                  by lld in the order of Scripts/agent-idle.order.gz (the code an idle agent runs
#                  first, packed together; Benchmarks/idle-order/profile.sh makes it)
#                  (10-20+ minutes on two cores; incremental after)
#   --output FILE  the OCI archive (default .build/image/warrant.oci.tar, where the tests look)
#   --work DIR     scratch folder (default .build/image/work); removed at the end unless --keep-rootfs
#
# Needs: apt-get, dpkg-deb, readelf, strip, ldconfig, gzip and buildah (apt-get install buildah), as root
# (buildah's vfs storage and chroot isolation are used: no daemon, no overlay mounts). The package
# lists must be current (apt-get update) so that apt-get download finds the candidate versions.
# Exit codes: 0 built, 1 a step failed, 2 bad arguments or a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."
repository_root=$PWD

binary=""
output="$repository_root/.build/image/warrant.oci.tar"
work="$repository_root/.build/image/work"
keep_rootfs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --output) output=$(realpath -m "$2"); shift 2 ;;
    --work) work=$(realpath -m "$2"); shift 2 ;;
    --keep-rootfs) keep_rootfs=1; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for tool in apt-get apt-cache dpkg-deb readelf strip ldconfig buildah; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-image: '$tool' is missing; install it (apt-get install buildah binutils) and run again" >&2
    exit 2
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "build-image: run as root (buildah's vfs storage and chroot isolation, and files owned by root in the image)" >&2
  exit 2
fi

say() { printf 'build-image: [%ss] %s\n' "$SECONDS" "$*" >&2; }

# --- 1. The binary -----------------------------------------------------------------------------
if [ -z "$binary" ]; then
  # The idle agent's code packed together: with every function in a section of its own, lld puts
  # the functions the idle loop runs next to each other, so the kernel's fault-around (64 KB
  # around each page fault) maps that code and little else (Benchmarks/README.md, idle memory).
  order="$repository_root/.build/image/agent-idle.order"
  mkdir -p "$(dirname "$order")"
  gzip -dc Scripts/agent-idle.order.gz > "$order"
  build=(swift build -c release --static-swift-stdlib --product warrant --scratch-path .build-static
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xswiftc -use-ld=lld
    -Xlinker --symbol-ordering-file="$order" -Xlinker --no-warn-symbol-ordering)
  say "building the release binary (${build[*]})"
  # The ordering is read at link time only; a changed ordering must relink.
  rm -f "$("${build[@]}" --show-bin-path)/warrant"
  "${build[@]}"
  binary="$("${build[@]}" --show-bin-path)/warrant"
  # How much of the ordering the linker found (functions renamed since the profile are missing).
  found=$(nm --defined-only "$binary" | awk 'NR == FNR { wanted[$1] = 1; next } $3 in wanted { print $3 }' "$order" - | sort -u | wc -l)
  listed=$(wc -l < "$order")
  say "the idle agent's code: $found of the $listed functions in Scripts/agent-idle.order.gz are in the executable"
  if [ $((found * 10)) -lt $((listed * 9)) ]; then
    say "warning: the ordering is stale; run Benchmarks/idle-order/profile.sh on this executable (an idle agent will use more memory)"
  fi
fi
[ -x "$binary" ] || { echo "build-image: $binary is not an executable" >&2; exit 2; }
if readelf -d "$binary" | grep -q 'NEEDED.*libswiftCore'; then
  echo "build-image: $binary links the Swift runtime dynamically; build it with --static-swift-stdlib" >&2
  exit 2
fi
version=$("$binary" --version)
image_repository=$(sed -n 's/.*static let repository = "\(.*\)".*/\1/p' Sources/WarrantCLI/ContainerImage.swift)
[ -n "$image_repository" ] || { echo "build-image: no image repository in Sources/WarrantCLI/ContainerImage.swift" >&2; exit 1; }
image="$image_repository:$version"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || revision="$revision-dirty"
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
source_url=${WARRANT_IMAGE_SOURCE:-$(git remote get-url origin 2>/dev/null || true)}
if [ -z "$source_url" ]; then
  # GHCR links an image to the GitHub repository of the same owner and name.
  source_url="https://github.com/${image_repository#ghcr.io/}"
fi

rm -rf "$work"
context="$work/context"
rootfs="$context/rootfs"
mkdir -p "$rootfs/usr/bin" "$work/debs" "$(dirname "$output")"
strip -o "$rootfs/usr/bin/warrant" "$binary"
chmod 0755 "$rootfs/usr/bin/warrant"

# --- 2. Debian packages and the libraries they need ---------------------------------------------
# What the image is for: git (the agent's fetches; git needs /bin/sh for GIT_SSH_COMMAND and the
# credential helper), ssh and ssh-keygen (ssh:// repositories, SSH-signed commits), gpg
# (OpenPGP-signed commits; gpg alone: verification needs no agent, dirmngr or keyboxd), CA
# certificates, coreutils for a CI job's script (base64, rm, cat, mkdir, id), and libstdc++6, which
# the static Swift runtime still links dynamically (with libc, libm, libgcc_s and zlib).
wanted=(libc6 libstdc++6 git openssh-client gpg ca-certificates dash coreutils)
# Dependencies that only maintainer scripts, interactive use or scripted git commands need.
skipped=" perl perl-base liberror-perl git-man adduser passwd debconf openssl dpkg debianutils gpgconf readline-common libpam-modules libpam-runtime libsemanage2 tar "
declare -A seen=()
# Breadth first, one apt-cache call per level (each call loads the package cache).
frontier=("${wanted[@]}")
while [ ${#frontier[@]} -gt 0 ]; do
  level=()
  for package in "${frontier[@]}"; do
    [ -n "${seen[$package]:-}" ] && continue
    case "$skipped" in *" $package "*) continue ;; esac
    seen[$package]=1
    level+=("$package")
  done
  [ ${#level[@]} -gt 0 ] || break
  frontier=()
  # Depends and Pre-Depends; of alternatives (a | b) the first real package.
  while read -r dependency; do
    frontier+=("${dependency%%:*}")
  done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "${level[@]}" |
    awk '/^[^ ]/ { group = 0; next }
      /^ *\|?(Pre)?Depends: / { alt = ($1 ~ /^\|/); if (!group) chosen = 0; if (!chosen && $2 !~ /^</) { print $2; chosen = 1 }; group = alt }')
done
packages=("${!seen[@]}")
say "downloading ${#packages[@]} Debian packages: $(printf '%s\n' "${packages[@]}" | sort | tr '\n' ' ')"
(cd "$work/debs" && apt-get download -q "${packages[@]}" >"$work/apt.log" 2>&1) || {
  cat "$work/apt.log" >&2
  echo "build-image: apt-get download failed; run apt-get update and try again" >&2
  exit 1
}
say "unpacking them"
mkdir -p "$rootfs/var/lib/dpkg/status.d"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$rootfs"
  # What is installed, for image scanners (Trivy and Grype read status.d, as in distroless).
  name=$(dpkg-deb -f "$deb" Package)
  { dpkg-deb -f "$deb" Package Version Architecture Source Maintainer; echo "Status: install ok installed"; } > "$rootfs/var/lib/dpkg/status.d/$name"
done

# --- 3. Prune to what runs -------------------------------------------------------------------
# CA certificates: the bundle update-ca-certificates would write (the package's script does not
# run here), then the individual files go.
mkdir -p "$rootfs/etc/ssl/certs"
find "$rootfs/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | xargs cat > "$rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion,gitweb,perl5,zsh,menu,pixmaps,ca-certificates,gnupg,common-licenses,debianutils} \
  "$rootfs"/usr/share/git-core/contrib "$rootfs"/etc/{bash_completion.d,ca-certificates,ca-certificates.conf,cron.daily,default,init.d,logrotate.d} \
  "$rootfs"/usr/lib/x86_64-linux-gnu/{gconv,sasl2,krb5,audit,engines-3,ossl-modules,perl5} "$rootfs"/usr/lib/git-core/mergetools \
  "$rootfs"/usr/sbin "$rootfs"/sbin "$rootfs"/usr/libexec "$rootfs"/usr/lib/openssh "$rootfs"/usr/lib/mime "$rootfs"/usr/share/perl
# git: its commands are hard links to one binary, plus git-remote-http for https://; its shell,
# perl and python commands, the daemon, web and mail tools go. An empty template folder keeps
# 'git init' quiet.
for file in "$rootfs"/usr/lib/git-core/*; do
  case "$(basename "$file")" in
    git|git-remote-http|git-remote-https) continue ;;
  esac
  if [ -L "$file" ] || [ "$(stat -c %i "$file")" = "$(stat -c %i "$rootfs/usr/lib/git-core/git")" ] \
    || [ "$(stat -c %i "$file")" = "$(stat -c %i "$rootfs/usr/lib/git-core/git-remote-http")" ]; then
    continue
  fi
  rm -rf "$file"
done
# The package ships the binary twice (/usr/bin/git and /usr/lib/git-core/git); one is a link now.
ln -sf ../../bin/git "$rootfs/usr/lib/git-core/git"
# Links to removed programs.
find "$rootfs/usr/lib/git-core" -xtype l -delete
rm -rf "$rootfs/usr/share/git-core/templates"
mkdir -p "$rootfs/usr/share/git-core/templates"
rm -f "$rootfs"/usr/bin/{scalar,git-shell,git-upload-archive,git-receive-pack,git-upload-pack,git-cvsserver,ssh-argv0,ssh-copy-id,sftp,scp,ssh-add,ssh-agent,ssh-keyscan,gpgsplit,gpg-zip}
# coreutils: the five commands a CI job's script and the CI runner use.
for file in "$rootfs"/usr/bin/* "$rootfs"/bin/*; do
  [ -f "$file" ] || [ -L "$file" ] || continue
  case "$(basename "$file")" in
    warrant|git|ssh|ssh-keygen|gpg|gpgv|base64|cat|id|mkdir|rm|dash|sh) ;;
    *) rm -f "$file" ;;
  esac
done
[ -e "$rootfs/bin/sh" ] || ln -s dash "$rootfs/bin/sh"
# Shared libraries: keep the closure of what the kept programs need (DT_NEEDED), plus the
# dynamic loader and the name-service modules glibc loads by name.
say "finding the shared libraries the programs need"
declare -A needed=()
libdirs=(lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib64)
queue=()
while IFS= read -r -d '' file; do queue+=("$file"); done < <(find "$rootfs/usr/bin" "$rootfs/bin" "$rootfs/usr/lib/git-core" -type f -print0)
while [ ${#queue[@]} -gt 0 ]; do
  file=${queue[0]}
  queue=("${queue[@]:1}")
  while read -r library; do
    [ -n "${needed[$library]:-}" ] && continue
    for dir in "${libdirs[@]}"; do
      if [ -e "$rootfs/$dir/$library" ]; then
        needed[$library]=1
        target=$(readlink -f "$rootfs/$dir/$library")
        needed[$(basename "$target")]=1
        queue+=("$target")
        break
      fi
    done
    [ -n "${needed[$library]:-}" ] || { echo "build-image: $library (needed by ${file#"$rootfs"}) is in no package" >&2; exit 1; }
  done < <(readelf -d "$file" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
for dir in "${libdirs[@]}"; do
  [ -d "$rootfs/$dir" ] || continue
  find "$rootfs/$dir" -mindepth 1 -maxdepth 1 \( -type f -o -type l \) -print0 | while IFS= read -r -d '' file; do
    name=$(basename "$file")
    case "$name" in ld-linux*|libnss_files*|libnss_dns*|libresolv*) continue ;; esac
    [ -n "${needed[$name]:-}" ] || rm -f "$file"
  done
  find "$rootfs/$dir" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
done
find "$rootfs" -depth -type d -empty ! -path "$rootfs/usr/share/git-core/templates" -delete
# No set-user-ID or set-group-ID programs.
find "$rootfs" -perm /6000 -type f -exec chmod ug-s {} +

say "writing the system files"
# --- 4. The user and the system files --------------------------------------------------------
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/var/lib/dpkg/status.d"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
printf '%s\n' "$version" > "$rootfs/etc/warrant-release"
ldconfig -r "$rootfs"
mkdir -p "$rootfs/home/nonroot" "$rootfs/var/lib/warrant-agent"
find "$rootfs" -exec chown -h 0:0 {} +
chown 65532:65532 "$rootfs/home/nonroot" "$rootfs/var/lib/warrant-agent"
chmod 0700 "$rootfs/home/nonroot" "$rootfs/var/lib/warrant-agent"
# One archive with exact owners and modes (ADD keeps them; COPY would make everything root's),
# in a stable order with the commit's time, so that the same inputs give the same layer.
tar --sort=name --numeric-owner --mtime="@$epoch" -C "$rootfs" -cf "$context/rootfs.tar" .

# --- 5. The image ------------------------------------------------------------------------------
storage=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
say "committing $image with buildah (vfs storage, chroot isolation)"
buildah "${storage[@]}" build --quiet --isolation chroot --timestamp "$epoch" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg SOURCE="$source_url" --build-arg CREATED="$created" \
  -f "$repository_root/Containerfile" -t "$image" "$context" >/dev/null
rm -f "$output"
# The reference in the archive is the tag alone (an OCI layout's ref.name), as umoci and skopeo expect.
buildah "${storage[@]}" push --quiet "$image" "oci-archive:$output:$version"
buildah "${storage[@]}" rmi --all >/dev/null 2>&1 || true
rm -rf "$work/storage" "$work/run"

digest=$(tar -xOf "$output" index.json | sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' | head -1)
unpacked=$(du -sb "$rootfs" | cut -f1)
binary_size=$(stat -c %s "$rootfs/usr/bin/warrant")
archive_size=$(stat -c %s "$output")
if [ -z "$keep_rootfs" ]; then rm -rf "$work"; fi
printf '%s\n' "$image"
cat >&2 <<EOF
build-image: wrote $output
  image:     $image
  manifest:  $digest (the digest of this archive's manifest; a registry keeps it when the
             manifest is copied unchanged: skopeo copy oci-archive:$output:$version docker://REGISTRY/warrant:$version)
  archive:   $archive_size bytes (gzip-compressed layer)
  unpacked:  $unpacked bytes, of which the warrant binary $binary_size
  labels:    version $version, revision $revision, source $source_url
Run the image tests: WARRANT_IMAGE_ARCHIVE=$output swift test --skip-build --filter ContainerImageTests
EOF
